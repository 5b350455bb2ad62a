/**
 * Recipient addresses: a bare RFC 5321 mailbox with a dot-atom local part, no display name, comment,
 * quotes or list. Internationalized domains are accepted and converted to punycode for delivery.
 */
import { domainToASCII } from 'node:url';

export type AddressProblem =
  'address.syntax' | 'address.local_part_too_long' | 'address.domain_invalid' | 'address.too_long';

export type AddressCheck =
  { readonly ok: true; readonly address: string } | { readonly ok: false; readonly problem: AddressProblem };

const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;
const MAX_LABEL_OCTETS = 63;
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LDH_LABEL = /^(?!-)[a-z0-9-]+(?<!-)$/;
const NUMERIC = /^[0-9]+$/;
/**
 * Lowercase letters, digits, hyphens and dots, no punycode label, and a last label that is neither all
 * digits nor `0x…` hex (which WHATWG host parsing would read as IPv4): domainToASCII returns such a domain
 * unchanged, so it is not called (it was 2 % of a request's CPU under load).
 */
const PLAIN_ASCII = /^[a-z0-9.-]+$/;
const MAYBE_IPV4_LAST_LABEL = /(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)\.?$/;

export function checkAddress(input: string): AddressCheck {
  const at = input.lastIndexOf('@');
  if (at <= 0 || at === input.length - 1) return { ok: false, problem: 'address.syntax' };
  const local = input.slice(0, at);
  const domain = input.slice(at + 1);
  if (!DOT_ATOM.test(local)) return { ok: false, problem: 'address.syntax' };
  if (Buffer.byteLength(local) > MAX_LOCAL_OCTETS) return { ok: false, problem: 'address.local_part_too_long' };
  const asciiDomain = toAsciiDomain(domain);
  if (asciiDomain === undefined) return { ok: false, problem: 'address.domain_invalid' };
  const address = `${local}@${asciiDomain}`;
  if (address.length > MAX_ADDRESS_OCTETS) return { ok: false, problem: 'address.too_long' };
  return { ok: true, address };
}

function toAsciiDomain(domain: string): string | undefined {
  // domainToASCII is lenient with characters a mail domain cannot hold, so those are refused first.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\s@[\]\\"(),;:<>\x00-\x1f\x7f%/?#]/.test(domain)) return undefined;
  const ascii = isPlainAscii(domain) ? domain : domainToASCII(domain);
  if (ascii === '' || ascii.endsWith('.')) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2) return undefined;
  if (NUMERIC.test(labels[labels.length - 1] ?? '')) return undefined;
  const valid = labels.every((label) => label.length <= MAX_LABEL_OCTETS && LDH_LABEL.test(label));
  return valid ? ascii : undefined;
}

/** Exported for its test: every domain it passes, domainToASCII returns unchanged. */
export function isPlainAscii(domain: string): boolean {
  return PLAIN_ASCII.test(domain) && !domain.includes('xn--') && !MAYBE_IPV4_LAST_LABEL.test(domain);
}
