/**
 * Runs a keyed request at most once per caller's key: claim, run, settle (semantics.ts), against the key
 * store port. Unkeyed requests never come here. The store's writes after the run are not bounded by the
 * request's signal: a mail that went out must be recorded even when the caller has gone.
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
import { StoreUnavailableError, type IdempotencyStore, type KeyRecord, type StoredAnswer } from './store';

export type IdempotencyOutcome =
  'stored' | 'replayed' | 'inflight' | 'mismatch' | 'unavailable' | 'released' | 'locked' | 'unknown';

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

export function createGuard(
  store: IdempotencyStore,
  policy: IdempotencyPolicy,
  logger: Logger,
  countOutcome: (outcome: IdempotencyOutcome) => void = () => undefined,
): Guard {
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
          await settle(storeKey, owner, { state: 'done', fingerprint, answer: { status, headers, body } });
          return { status, headers, json: body };
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
      await settle(storeKey, owner, {
        state: 'done',
        fingerprint,
        answer: { status: result.status, ...(result.headers ? { headers: result.headers } : {}), body: result.json },
      });
      return result;

      async function settle(key: string, claimOwner: string, record: KeyRecord): Promise<void> {
        try {
          const settled = await store.settle(key, claimOwner, record, policy.ttlMs);
          if (settled && record.state === 'done') count('stored');
          if (!settled)
            logger.warn(
              { idempotency: { state: record.state } },
              'idempotency claim expired before its answer was stored',
            );
        } catch (err) {
          // The answer stands; the claim frees after IDEMPOTENCY_LOCK_SECONDS, and then a retry may run again.
          logger.error({ err, idempotency: { state: record.state } }, 'idempotency answer not stored');
        }
      }
    },
    close: () => store.close(),
  };
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
