/**
 * Per-caller rate limits (issue 31): each caller's mails come out of its own token bucket, shared by every
 * instance through Redis. A request takes the mails it would send (a batch: its items) before any SMTP work;
 * when the bucket lacks them, 429 rate.limit.exceeded with Retry-After, nothing sent. Every counted answer
 * carries RateLimit-Policy and RateLimit as draft-ietf-httpapi-ratelimit-headers-11 defines them.
 *
 * With Redis down, RATE_LIMIT_WHEN_STORE_DOWN says what holds: `local` (each instance limits on its own, at
 * the same rate: together at most that many times the rate while it lasts) or `closed` (503, nothing sent).
 */
import type { Logger } from '../../../shared/logging';
import { RedisUnavailableError } from '../../../shared/redis';
import { retryAfterSeconds } from '../../../shared/resilience';
import { createMemoryBuckets, type Buckets, type Policy, type Taken } from './bucket';
import { rateLimitError } from './errors';

/** The policy's name in the headers. */
const POLICY = 'mail';

export type StoreDownMode = 'local' | 'closed';

export interface RateLimiter {
  /**
   * Takes `cost` mails from the caller's bucket (`subject`: the token's sub, else azp/client_id); resolves
   * with the headers the answer carries, or throws 429 rate.limit.exceeded (or 503 rate.limit.unavailable).
   */
  take(caller: string, subject: string | undefined, cost: number): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface LimiterOptions {
  readonly policy: Policy;
  /** Per-subject policies (RATE_LIMIT_OVERRIDES). */
  readonly overrides: ReadonlyMap<string, Policy>;
  readonly whenStoreDown: StoreDownMode;
}

export function createRateLimiter(shared: Buckets, options: LimiterOptions, logger: Logger): RateLimiter {
  const local = createMemoryBuckets();
  return {
    async take(caller, subject, cost) {
      const policy = (subject === undefined ? undefined : options.overrides.get(subject)) ?? options.policy;
      const key = `mailer:ratelimit:${caller}`;
      let taken: Taken;
      try {
        taken = await shared.take(key, cost, policy);
      } catch (err) {
        if (!(err instanceof RedisUnavailableError) || options.whenStoreDown === 'closed')
          throw rateLimitError('rate.limit.unavailable', {
            headers: {
              'Retry-After': retryAfterSeconds(err instanceof RedisUnavailableError ? err.retryAfterMs : 1000),
            },
            cause: err,
          });
        logger.debug({ err }, 'rate limit store down: this instance limits on its own');
        taken = await local.take(key, cost, policy);
      }
      const headers = rateLimitHeaders(policy, taken);
      if (!taken.allowed)
        throw rateLimitError('rate.limit.exceeded', {
          headers: { ...headers, 'Retry-After': retryAfterSeconds(taken.retryAfterMs) },
        });
      return headers;
    },
    close: () => shared.close(),
  };
}

/**
 * The draft's fields for a token bucket: the policy as `q` mails per `w` seconds (the burst, refilled in
 * burst/rate seconds), and what is left now: `r` mails, full again in `t` seconds.
 */
export function rateLimitHeaders(policy: Policy, taken: Taken): Record<string, string> {
  const window = Math.max(1, Math.ceil(policy.burst / policy.rate));
  return {
    'RateLimit-Policy': `"${POLICY}";q=${policy.burst};w=${window}`,
    RateLimit: `"${POLICY}";r=${Math.max(0, taken.remaining)};t=${Math.max(0, Math.ceil(taken.fullInMs / 1000))}`,
  };
}
