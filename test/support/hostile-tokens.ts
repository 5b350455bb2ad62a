/**
 * Tokens as an attacker would write them: any header, any payload, signed (or not) by hand with
 * node:crypto, so that even forms jose refuses to produce can be sent.
 */
import { createHmac, KeyObject, sign } from 'node:crypto';
import type { CryptoKey } from 'jose';

export const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export type Signer = (signingInput: string) => Buffer;

export function compactJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
  signer: Signer | null,
): string {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const input = `${b64url(JSON.stringify(header))}.${header.b64 === false ? body : b64url(body)}`;
  return `${input}.${signer ? b64url(signer(input)) : ''}`;
}

/** Claims as JSON with some values written verbatim, e.g. `exp: '1e309'` (Infinity once parsed), which JSON.stringify cannot produce. */
export function claimsJson(payload: Record<string, unknown>, verbatim: Record<string, string>): string {
  const placeholders = Object.fromEntries(Object.keys(verbatim).map((key) => [key, `\u0000${key}\u0000`]));
  let json = JSON.stringify({ ...payload, ...placeholders });
  for (const [key, value] of Object.entries(verbatim)) json = json.replace(JSON.stringify(placeholders[key]), value);
  return json;
}

export function rsaSigner(key: CryptoKey | KeyObject): Signer {
  const keyObject = key instanceof KeyObject ? key : KeyObject.from(key);
  return (input) => sign('sha256', Buffer.from(input), keyObject);
}

export function hmacSigner(secret: string | Buffer): Signer {
  return (input) => createHmac('sha256', secret).update(input).digest();
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
