/**
 * The semantics of a key, as a small state machine (after the IETF HTTPAPI draft "The Idempotency-Key
 * HTTP Header Field"). A first request claims the key (free → inflight) and runs; how it ends settles the
 * key: a stored answer (inflight → done), locked for good (inflight → unknown), or released (inflight →
 * free). A repeat is judged by the record it finds. Pure: no store, no clock.
 */
import { isAppError, type ErrorCode } from '../../../shared/errors';
import type { KeyRecord } from './store';

/** What a repeat of a key gets, given the record found and its own fingerprint. */
export type RepeatDecision =
  | { readonly kind: 'replay'; readonly record: KeyRecord & { state: 'done' } }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'inflight' }
  | { readonly kind: 'unknown' };

export function judgeRepeat(existing: KeyRecord, fingerprint: string): RepeatDecision {
  // Another body under the same key is the caller's mistake, whatever state the key is in.
  if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
  switch (existing.state) {
    case 'done':
      return { kind: 'replay', record: existing };
    case 'inflight':
      return { kind: 'inflight' };
    case 'unknown':
      return { kind: 'unknown' };
  }
}

/** How a first request's end settles its key. */
export type Settlement = 'store' | 'lock' | 'release';

/**
 * Answers that say the same thing however often the request is retried: stored and replayed. Everything
 * else that failed sent nothing (502 before DATA, 503 breaker open or deadline, the client gone) and
 * releases the key; only email.send.unknown, where the mail may be out, locks it.
 */
export const DETERMINISTIC_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'email.parse.error',
  'email.validation.error',
  'email.recipient.rejected',
  'http.mediatype.unsupported',
]);

export function settlementOf(
  outcome: { readonly ok: true } | { readonly ok: false; readonly error: unknown },
): Settlement {
  if (outcome.ok) return 'store';
  const { error } = outcome;
  if (!isAppError(error)) return 'release';
  if (error.code === 'email.send.unknown') return 'lock';
  return DETERMINISTIC_CODES.has(error.code) ? 'store' : 'release';
}
