/** Redis for a function's own state (idempotency keys, rate limits): one bounded connection behind a breaker. */
export { createRedisCaller, RedisUnavailableError, type RedisCaller, type RedisCallerOptions } from './client';
