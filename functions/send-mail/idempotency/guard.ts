/**
 * Runs a keyed request at most once per caller's key: claim, run, settle (semantics.ts), against the key
 * store port. Unkeyed requests never come here. The store's writes after the run are not bounded by the
 * request's signal: a mail that went out must be recorded even when the caller has gone.
 *
 * Two writes go on in the background, within IDEMPOTENCY_LOCK_SECONDS, when the store fails:
 * - a claim whose request was refused (503) may still run later (written to a frozen Redis, executed once
 *   it resumes): its own release follows it on the same connection, so it never locks the key;
 * - a settle that failed is retried, so the answer (or the lock of an unknown outcome) is in place before
 *   the claim expires and a retry could send the mail again.
 */
import { randomUUID } from 'node:crypto';
import { toErrorResponse } from '../../../shared/errors';
import type { HttpResult } from '../../../shared/http';
import type { Logger } from '../../../shared/logging';
import { retryAfterSeconds } from '../../../shared/resilience';
import { idempotencyError } from './errors';
import { fingerprintOf } from './fingerprint';
import { REPLAYED_HEADER, storeKeyOf } from './key';
import { judgeRepeat, settlementOf } from './semantics';
import {
  StoreUnavailableError,
  type IdempotencyStore,
  type KeyRecord,
  type SettleOutcome,
  type StoredAnswer,
} from './store';

/**
 * What a key did, for the metric and the log line. Beyond the usual: `restored` (the claim was gone when the
 * answer came: written anew), `lost` (another request held the key by then: the answer is not stored),
 * `unsettled` (the store failed: the settle goes on in the background).
 */
export type IdempotencyOutcome =
  | 'stored'
  | 'replayed'
  | 'inflight'
  | 'mismatch'
  | 'unavailable'
  | 'released'
  | 'locked'
  | 'unknown'
  | 'restored'
  | 'lost'
  | 'unsettled';

/** On a first answer whose record could not be stored under its key: a retry with the key may run again. */
export const STORED_HEADER = 'Idempotent-Stored';

export interface IdempotencyPolicy {
  readonly ttlMs: number;
  readonly lockMs: number;
}

export interface KeyedRequest {
  readonly caller: string;
  readonly key: string;
  readonly body: Buffer;
  /** The trace id: the request id of an error body this request stores. */
  readonly requestId: string;
  /** Told what the key did, as the metric is: for the request's log line. */
  readonly onOutcome?: (outcome: IdempotencyOutcome) => void;
}

export interface Guard {
  run(request: KeyedRequest, execute: () => Promise<HttpResult>): Promise<HttpResult>;
  close(): Promise<void>;
}

/** A repeat waits about this long for the first request's answer: most take well under a second. */
const INFLIGHT_RETRY_AFTER = '1';

/** How often a background write to the store is tried again. */
const BACKGROUND_RETRY_MS = 500;

export function createGuard(
  store: IdempotencyStore,
  policy: IdempotencyPolicy,
  logger: Logger,
  countOutcome: (outcome: IdempotencyOutcome) => void = () => undefined,
): Guard {
  const background = createBackground(policy.lockMs);
  return {
    async run(request, execute) {
      const count = (outcome: IdempotencyOutcome): void => {
        countOutcome(outcome);
        request.onOutcome?.(outcome);
      };
      const storeKey = storeKeyOf(request.caller, request.key);
      const fingerprint = fingerprintOf(request.body);
      const owner = randomUUID();
      let claim;
      try {
        claim = await store.claim(storeKey, { state: 'inflight', fingerprint, owner }, policy.lockMs);
      } catch (err) {
        count('unavailable');
        // The claim may still run once the store comes back: fence it with its own release.
        background.retry(async () => {
          await store.release(storeKey, owner);
        });
        throw unavailable(err);
      }
      if (!claim.claimed) {
        const decision = judgeRepeat(claim.existing, fingerprint);
        count(decision.kind === 'replay' ? 'replayed' : decision.kind);
        switch (decision.kind) {
          case 'replay':
            return replayOf(decision.record.answer);
          case 'mismatch':
            throw idempotencyError('idempotency.key.mismatch');
          case 'inflight':
            throw idempotencyError('idempotency.request.inflight', {
              headers: { 'Retry-After': INFLIGHT_RETRY_AFTER },
            });
          case 'unknown':
            throw idempotencyError('idempotency.outcome.unknown');
        }
      }

      let result: HttpResult;
      try {
        result = await execute();
      } catch (err) {
        const settlement = settlementOf({ ok: false, error: err });
        if (settlement === 'store') {
          // The sink's own answer, built once here so that the replay is byte for byte the first answer.
          const { status, headers, body } = toErrorResponse(err, request.requestId, logger);
          const stored = await settle(storeKey, owner, {
            state: 'done',
            fingerprint,
            answer: { status, headers, body },
          });
          return { status, headers: stored ? headers : notStored(headers), json: body };
        }
        if (settlement === 'lock') {
          await settle(storeKey, owner, { state: 'unknown', fingerprint });
          count('locked');
          throw err;
        }
        await store.release(storeKey, owner).then(
          () => count('released'),
          (cause: unknown) =>
            logger.warn({ err: cause }, 'idempotency key not released: it frees after IDEMPOTENCY_LOCK_SECONDS'),
        );
        throw err;
      }
      const stored = await settle(storeKey, owner, {
        state: 'done',
        fingerprint,
        answer: { status: result.status, ...(result.headers ? { headers: result.headers } : {}), body: result.json },
      });
      return stored ? result : { ...result, headers: notStored(result.headers) };

      function warnTaken(record: KeyRecord): void {
        logger.warn({ idempotency: { state: record.state } }, 'idempotency key taken before its answer was stored');
      }

      /** Whether the record is in place under the key now. */
      async function settle(key: string, claimOwner: string, record: KeyRecord): Promise<boolean> {
        let outcome: SettleOutcome;
        try {
          outcome = await store.settle(key, claimOwner, record, policy.ttlMs);
        } catch (err) {
          count('unsettled');
          logger.error({ err, idempotency: { state: record.state } }, 'idempotency answer not stored yet: retrying');
          background.retry(async () => {
            if ((await store.settle(key, claimOwner, record, policy.ttlMs)) === 'taken') warnTaken(record);
          });
          return false;
        }
        if (outcome === 'taken') {
          count('lost');
          warnTaken(record);
          return false;
        }
        if (outcome === 'restored') {
          count('restored');
          logger.warn(
            { idempotency: { state: record.state } },
            'idempotency claim was gone: the answer is stored anew',
          );
        }
        if (record.state === 'done') count('stored');
        return true;
      }
    },
    close: async () => {
      background.stop();
      await store.close();
    },
  };
}

/**
 * Writes that go on after their request answered: each is tried until it succeeds or `boundMs` passed (the
 * claim's own lifetime: after it, the key is free anyway). Stopped with the function.
 */
function createBackground(boundMs: number): { retry(write: () => Promise<void>): void; stop(): void } {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  return {
    retry(write) {
      const until = Date.now() + boundMs;
      const attempt = (): void => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          write().catch(() => {
            if (!stopped && Date.now() + BACKGROUND_RETRY_MS < until) attempt();
          });
        }, BACKGROUND_RETRY_MS);
        timer.unref(); // never what keeps a process alive
        timers.add(timer);
      };
      if (!stopped) attempt();
    },
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** A first answer's headers when its record is not under the key: a retry may run again. */
function notStored(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { ...headers, [STORED_HEADER]: 'false' };
}

function replayOf(answer: StoredAnswer): HttpResult {
  return { status: answer.status, headers: { ...answer.headers, [REPLAYED_HEADER]: 'true' }, json: answer.body };
}

function unavailable(err: unknown): Error {
  const retryAfterMs = err instanceof StoreUnavailableError ? err.retryAfterMs : 1000;
  return idempotencyError('idempotency.store.unavailable', {
    headers: { 'Retry-After': retryAfterSeconds(retryAfterMs) },
    cause: err,
  });
}
