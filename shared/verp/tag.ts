/**
 * The VERP tag: which mail a bounce is about, in a form only we can make. The envelope sender is
 * `<local>+<id><mac>@<domain>`: the mail's id (a UUID, 32 hex digits) and the first 8 bytes of its
 * HMAC-SHA256 (16 hex digits). Hex survives MTAs that fold the local part's case; 48 digits plus a local
 * part of at most 15 characters and the `+` fit the 64 octets of RFC 5321.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export const MAX_LOCAL_PART = 15;
const MAC_BYTES = 8;
const TAG = /^([0-9a-f]{32})([0-9a-f]{16})$/;

export interface VerpConfig {
  readonly BOUNCE_DOMAIN?: string | undefined;
  readonly BOUNCE_LOCAL_PART: string;
  readonly BOUNCE_VERP_SECRET?: string | undefined;
  readonly BOUNCE_VERP_PREVIOUS_SECRET?: string | undefined;
}

export interface Verp {
  readonly domain: string;
  /** The envelope sender for the mail with this id (a UUID). */
  address(mailId: string): string;
  /** The mail id an address's tag names, when the tag is ours; undefined for any other address. */
  mailIdOf(address: string): string | undefined;
}

/** Undefined when BOUNCE_DOMAIN is unset: no tags are written, none are read. */
export function createVerp(config: VerpConfig): Verp | undefined {
  const { BOUNCE_DOMAIN: domain, BOUNCE_LOCAL_PART: local, BOUNCE_VERP_SECRET: secret } = config;
  if (domain === undefined || secret === undefined) return undefined;
  // Keys imported once: an HMAC per mail and per report.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const keys = [
    key,
    ...(config.BOUNCE_VERP_PREVIOUS_SECRET
      ? [createSecretKey(Buffer.from(config.BOUNCE_VERP_PREVIOUS_SECRET, 'utf8'))]
      : []),
  ];
  return {
    domain,
    address: (mailId) => {
      const id = mailId.replace(/-/g, '').toLowerCase();
      return `${local}+${id}${mac(key, id).toString('hex')}@${domain}`;
    },
    mailIdOf: (address) => {
      const at = address.lastIndexOf('@');
      if (at === -1 || address.slice(at + 1).toLowerCase() !== domain) return undefined;
      const localPart = address.slice(0, at).replace(/^<|^"|"$/g, '');
      const plus = localPart.lastIndexOf('+');
      if (plus === -1 || localPart.slice(0, plus).toLowerCase() !== local.toLowerCase()) return undefined;
      const match = TAG.exec(localPart.slice(plus + 1).toLowerCase());
      if (!match) return undefined;
      const [, id = '', given = ''] = match;
      const presented = Buffer.from(given, 'hex');
      if (!keys.some((candidate) => timingSafeEqual(mac(candidate, id), presented))) return undefined;
      return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
    },
  };
}

function mac(key: KeyObject, id: string): Buffer {
  return createHmac('sha256', key).update(`verp1:${id}`).digest().subarray(0, MAC_BYTES);
}
