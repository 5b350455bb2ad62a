/**
 * Per-caller rate limits (issue 31): the settings' policy and overrides, the buckets (Redis when
 * RATE_LIMIT_REDIS_URL is set, else one instance's memory: local only, the settings say so) and the limiter.
 * Off (RATE_LIMIT_PER_SECOND=0): no limiter, no headers, as before.
 */
import type { Logger } from '../../../shared/logging';
import type { BreakerObserver } from '../../../shared/resilience';
import { createMemoryBuckets, type Policy } from './bucket';
import { createRateLimiter, type RateLimiter, type StoreDownMode } from './limiter';

export { rateLimitErrorStatus, type RateLimitErrorCode } from './errors';
export type { RateLimiter } from './limiter';
export const STORE_DOWN_MODES = ['local', 'closed'] as const satisfies readonly StoreDownMode[];

export interface RateLimitConfig {
  readonly RATE_LIMIT_PER_SECOND: number;
  readonly RATE_LIMIT_BURST: number;
  readonly RATE_LIMIT_OVERRIDES: string;
  readonly RATE_LIMIT_REDIS_URL?: string | undefined;
  readonly RATE_LIMIT_REDIS_TIMEOUT_MS: number;
  readonly RATE_LIMIT_BREAKER_RESET_SECONDS: number;
  readonly RATE_LIMIT_WHEN_STORE_DOWN: string;
}

/** Undefined when rate limiting is off. */
export function createRateLimit(
  config: RateLimitConfig,
  logger: Logger,
  breakers: BreakerObserver,
): RateLimiter | undefined {
  if (config.RATE_LIMIT_PER_SECOND === 0) return undefined;
  const buckets =
    config.RATE_LIMIT_REDIS_URL === undefined
      ? createMemoryBuckets()
      : loadRedisBuckets().createRedisBuckets(
          {
            url: config.RATE_LIMIT_REDIS_URL,
            timeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
            breakerResetMs: config.RATE_LIMIT_BREAKER_RESET_SECONDS * 1000,
          },
          logger,
          breakers,
        );
  return createRateLimiter(
    buckets,
    {
      policy: { rate: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST },
      overrides: parseOverrides(config.RATE_LIMIT_OVERRIDES).policies,
      whenStoreDown: config.RATE_LIMIT_WHEN_STORE_DOWN as StoreDownMode,
    },
    logger,
  );
}

/** `subject=rate/burst` entries, comma-separated; the problems of the ones that are not. */
export function parseOverrides(text: string): { policies: Map<string, Policy>; problems: string[] } {
  const policies = new Map<string, Policy>();
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([^=\s]+)=(\d+)\/(\d+)$/.exec(entry);
    const rate = Number(match?.[2]);
    const burst = Number(match?.[3]);
    if (!match?.[1] || !(rate > 0) || !(burst > 0))
      problems.push(`"${entry}" is not subject=rate/burst (positive integers)`);
    else policies.set(match[1], { rate, burst });
  }
  return { policies, problems };
}

/** ioredis loads only when Redis is configured, synchronously at start. */
function loadRedisBuckets(): typeof import('./redis-bucket') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ioredis loads only with a Redis URL, synchronously, at start
  return require('./redis-bucket') as typeof import('./redis-bucket');
}
