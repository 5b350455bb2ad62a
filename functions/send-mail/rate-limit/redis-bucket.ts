/**
 * The buckets every instance shares, in Redis: one hash per caller (tokens, as of when), taken from in one
 * script, on Redis's own clock (TIME), so instances with skewed clocks still share one bucket. A bucket
 * expires once it would be full again.
 */
import type { Logger } from '../../../shared/logging';
import { createRedisCaller, type RedisCallerOptions } from '../../../shared/redis';
import type { BreakerObserver } from '../../../shared/resilience';
import { takenOf, type Buckets } from './bucket';

/** KEYS[1] the bucket; ARGV rate per second, burst, cost. Returns allowed (0/1), tokens left, now (ms). */
const TAKE = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {allowed, tostring(tokens)}`;

export function createRedisBuckets(
  options: Omit<RedisCallerOptions, 'breaker' | 'what'>,
  logger: Logger,
  breakers: BreakerObserver,
): Buckets {
  const redis = createRedisCaller({ ...options, breaker: 'ratelimit', what: 'rate limit store' }, logger, breakers);
  return {
    async take(key, cost, policy) {
      const [allowed, left] = (await redis.fire((client) =>
        client.eval(TAKE, 1, key, String(policy.rate), String(policy.burst), String(cost)),
      )) as [number, string];
      return takenOf(allowed === 1, Number(left), cost, policy);
    },
    close: () => redis.close(),
  };
}
