/** Takes the bearer token out of an Authorization header, refusing anything but exactly one token. */
import { tokenInvalid, tokenMissing } from './errors';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function bearerToken(header: string | string[] | undefined, maxBytes: number): string {
  if (header === undefined || header === '') throw tokenMissing();
  if (Array.isArray(header)) throw tokenInvalid('malformed');
  // No bearer credentials were sent: a lone word (most likely a token without `Bearer `), or another scheme.
  if (!/^Bearer(?: |$)/i.test(header)) throw tokenMissing(/^\S+$/.test(header.trim()) ? 'no_scheme' : 'other_scheme');
  if (header.length > maxBytes + 'Bearer '.length) throw tokenInvalid('too_large');
  const match = BEARER.exec(header);
  if (!match?.[1]) throw tokenInvalid('malformed');
  return match[1];
}
