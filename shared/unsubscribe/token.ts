/**
 * The one-click unsubscribe token: who unsubscribes (the recipient) from whose mail (the caller's broadcast
 * stream), and the mail it came in, sealed as a compact JWE (`dir`, A256CBC-HS512: AES-CBC, then an
 * HMAC-SHA-512 over it). The HMAC is what authenticates the unauthenticated POST: a token cannot be forged
 * or altered, and it names nothing in clear text (an address in a URL ends up in every log on its way).
 */
import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

export interface UnsubscribeTarget {
  /** The sender's name as the timeline keeps it (shared/auth callerOf). */
  readonly caller: string;
  readonly stream: 'broadcast';
  /** The recipient in its one form (shared/addresses). */
  readonly recipient: string;
  /** The Message-ID of the mail the link came in. */
  readonly messageId: string;
}

export interface UnsubscribeTokenConfig {
  readonly UNSUBSCRIBE_SECRET?: string | undefined;
  readonly UNSUBSCRIBE_PREVIOUS_SECRET?: string | undefined;
}

export interface UnsubscribeTokens {
  seal(target: UnsubscribeTarget): Promise<string>;
  /** The target of a token sealed with either key; undefined for anything else. */
  open(token: string): Promise<UnsubscribeTarget | undefined>;
}

const HEADER = { alg: 'dir', enc: 'A256CBC-HS512' } as const;
/** The payload's own version: a later layout reads old links by it. */
const VERSION = 1;
/** Compact JWE: five base64url parts, the second (the key) empty for `dir`. */
const SHAPE = /^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/;
/** Far above a real token (about 350 characters): anything longer is not read. */
export const MAX_TOKEN_LENGTH = 2048;

/** A256CBC-HS512 takes 64 bytes (MAC key, then encryption key), derived so any ≥ 32-byte secret will do. */
function keyOf(secret: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, '', 'mailer one-click unsubscribe token v1', 64)));
}

/** Undefined without UNSUBSCRIBE_SECRET. */
export function createUnsubscribeTokens(config: UnsubscribeTokenConfig): UnsubscribeTokens | undefined {
  if (config.UNSUBSCRIBE_SECRET === undefined) return undefined;
  const current = keyOf(config.UNSUBSCRIBE_SECRET);
  const keys =
    config.UNSUBSCRIBE_PREVIOUS_SECRET === undefined ? [current] : [current, keyOf(config.UNSUBSCRIBE_PREVIOUS_SECRET)];
  const encoder = new TextEncoder();
  return {
    seal: (target) =>
      new CompactEncrypt(
        encoder.encode(JSON.stringify([VERSION, target.caller, target.stream, target.recipient, target.messageId])),
      )
        .setProtectedHeader(HEADER)
        .encrypt(current),
    async open(token) {
      if (token.length > MAX_TOKEN_LENGTH || !SHAPE.test(token)) return undefined;
      for (const key of keys) {
        let plaintext: Uint8Array;
        try {
          ({ plaintext } = await compactDecrypt(token, key, {
            keyManagementAlgorithms: [HEADER.alg],
            contentEncryptionAlgorithms: [HEADER.enc],
          }));
        } catch {
          continue; // another key's token, or no token of ours
        }
        return targetOf(plaintext);
      }
      return undefined;
    },
  };
}

function targetOf(plaintext: Uint8Array): UnsubscribeTarget | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 5 || value[0] !== VERSION) return undefined;
  const [, caller, stream, recipient, messageId] = value as unknown[];
  if (typeof caller !== 'string' || stream !== 'broadcast' || typeof recipient !== 'string') return undefined;
  if (typeof messageId !== 'string') return undefined;
  return { caller, stream, recipient, messageId };
}

/** The link a broadcast mail carries: `<UNSUBSCRIBE_BASE_URL>/unsubscribe/<token>`. */
export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, '')}${UNSUBSCRIBE_PATH_PREFIX}${token}`;
}

export const UNSUBSCRIBE_PATH_PREFIX = '/unsubscribe/';

export interface OneClickConfig extends UnsubscribeTokenConfig {
  readonly UNSUBSCRIBE_BASE_URL?: string | undefined;
}

/** send-mail's side: the link of one broadcast mail, made as the mail is composed (its Message-ID known). */
export type OneClickLinks = (target: UnsubscribeTarget) => Promise<string>;

/** Undefined without UNSUBSCRIBE_BASE_URL (and its secret): broadcast mail must bring its own URL. */
export function createOneClickLinks(config: OneClickConfig): OneClickLinks | undefined {
  const base = config.UNSUBSCRIBE_BASE_URL;
  const tokens = createUnsubscribeTokens(config);
  if (base === undefined || tokens === undefined) return undefined;
  return async (target) => unsubscribeUrl(base, await tokens.seal(target));
}
