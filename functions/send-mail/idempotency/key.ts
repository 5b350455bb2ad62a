/**
 * The Idempotency-Key header, the caller it belongs to and the names it is stored and shown under. A key
 * is the caller's own: the store key is a hash of the caller's identity and the key, so two callers can
 * never see or block each other's keys, and no caller-chosen bytes reach the store or the logs.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { idempotencyError } from './errors';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** 1–255 printable ASCII characters (space to tilde), as the header's contract says. */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * The key the caller sent, or undefined when it sent none; a key that breaks the rule, or a repeated header,
 * is refused (400). `headersDistinct` has each header as sent, with all its values: Node joins repeated
 * headers of unknown names with ", " into one value that would pass as a key.
 */
export function idempotencyKeyOf(request: {
  readonly headers: IncomingHttpHeaders;
  readonly headersDistinct?: NodeJS.Dict<string[]>;
}): string | undefined {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  const repeated = Array.isArray(value) || (request.headersDistinct?.[IDEMPOTENCY_KEY_HEADER]?.length ?? 1) > 1;
  if (repeated || !VALID_KEY.test(value))
    throw idempotencyError('idempotency.key.invalid', {
      details: [{ field: 'Idempotency-Key', code: 'header.invalid' }],
    });
  return value;
}

/** The store's name for a caller's key: nothing of either is readable from it. */
export function storeKeyOf(caller: string, key: string): string {
  return `mailer:idempotency:v1:${sha256(`${caller}\n${key}`)}`;
}

/**
 * The key as logs and the email.sent event show it: its SHA-256 in hex, so a caller can find its own
 * requests by hashing its key, and nobody else learns it.
 */
export function keyHashOf(key: string): string {
  return sha256(key);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
