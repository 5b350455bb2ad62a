/**
 * Mail addresses as this mailer accepts and compares them: a bare mailbox, the local part as sent (no case
 * folding, `+` tags kept), the domain in lower-case punycode. send-mail checks its recipients with it; the
 * suppression list (issue 29) keys addresses by the same form, so IDN and case variants of one domain meet.
 */
export { checkAddress, isPlainAscii, type AddressCheck, type AddressProblem } from './address';
