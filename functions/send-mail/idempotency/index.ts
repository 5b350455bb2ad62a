/**
 * Idempotent sends (Idempotency-Key): the header and its caller (key.ts), the request's fingerprint,
 * the semantics, the store port with its Redis and in-memory adapters, and the guard that runs a keyed
 * request through them. Off (FEATURE_IDEMPOTENCY=false): no store, and the header is ignored as before.
 */
import type { Logger } from '../../../shared/logging';
import type { BreakerObserver } from '../../../shared/resilience';
import type { SendMailConfig } from '../settings';
import { createGuard, type Guard, type IdempotencyOutcome } from './guard';
import { createMemoryStore } from './memory-store';

export { idempotencyErrorStatus, type IdempotencyErrorCode } from './errors';
export { idempotencyKeyOf, keyHashOf, IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER } from './key';
export type { Guard, IdempotencyOutcome } from './guard';

export type IdempotencyConfig = Pick<
  SendMailConfig,
  | 'FEATURE_IDEMPOTENCY'
  | 'IDEMPOTENCY_REDIS_URL'
  | 'IDEMPOTENCY_TTL_SECONDS'
  | 'IDEMPOTENCY_LOCK_SECONDS'
  | 'IDEMPOTENCY_REDIS_TIMEOUT_MS'
  | 'IDEMPOTENCY_BREAKER_RESET_SECONDS'
>;

/** Undefined when the toggle is off. Without IDEMPOTENCY_REDIS_URL (local only: the settings say so), in memory. */
export function createIdempotency(
  config: IdempotencyConfig,
  logger: Logger,
  breakers: BreakerObserver,
  count: (outcome: IdempotencyOutcome) => void,
): Guard | undefined {
  if (!config.FEATURE_IDEMPOTENCY) return undefined;
  const store =
    config.IDEMPOTENCY_REDIS_URL === undefined
      ? createMemoryStore()
      : loadRedisStore().createRedisStore(
          {
            url: config.IDEMPOTENCY_REDIS_URL,
            timeoutMs: config.IDEMPOTENCY_REDIS_TIMEOUT_MS,
            breakerResetMs: config.IDEMPOTENCY_BREAKER_RESET_SECONDS * 1000,
          },
          logger,
          breakers,
        );
  return createGuard(
    store,
    { ttlMs: config.IDEMPOTENCY_TTL_SECONDS * 1000, lockMs: config.IDEMPOTENCY_LOCK_SECONDS * 1000 },
    logger,
    count,
  );
}

/** ioredis loads only when Redis is configured, synchronously at start: an unkeyed deployment never pays for it. */
function loadRedisStore(): typeof import('./redis-store') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ioredis loads only with a Redis URL, synchronously, at start
  return require('./redis-store') as typeof import('./redis-store');
}
