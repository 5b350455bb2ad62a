/**
 * The key store on Redis (or Valkey), through shared/redis. The claim is one atomic `SET key value NX PX lock`
 * (in a script that returns what was there when it was taken); settling and releasing check the owner in
 * the same script. TLS (`rediss://`) and auth come with IDEMPOTENCY_REDIS_URL.
 *
 * Every call, connection wait included, is bounded by IDEMPOTENCY_REDIS_TIMEOUT_MS: the `redis` breaker's
 * timeout. No command waits in an offline queue, where a claim could be sent after its request was refused
 * and lock the key for nothing.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../../shared/logging';
import { createRedisCaller, RedisUnavailableError } from '../../../shared/redis';
import { ignoreBreakers, type BreakerObserver } from '../../../shared/resilience';
import { decodeRecord, encodeRecord, StoreUnavailableError, type IdempotencyStore } from './store';

export interface RedisStoreOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly breakerResetMs: number;
}

/** Nil when the key was free and is now claimed; else the record that holds it. */
const CLAIM = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])`;

const OWNED = `local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local record = cjson.decode(value)
if record.state ~= 'inflight' or record.owner ~= ARGV[1] then return 0 end`;

/** 1: our claim settled; 2: no record was left, the answer is written anew; 0: another's record stays. */
const SETTLE = `local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 2
end
local record = cjson.decode(value)
if record.state ~= 'inflight' or record.owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

const RELEASE = `${OWNED}
redis.call('DEL', KEYS[1])
return 1`;

export function createRedisStore(
  options: RedisStoreOptions,
  logger: Logger,
  breakers: BreakerObserver = ignoreBreakers,
): IdempotencyStore {
  const redis = createRedisCaller({ ...options, breaker: 'redis', what: 'idempotency store' }, logger, breakers);
  const fire = async <T>(call: (client: Redis) => Promise<T>): Promise<T> => {
    try {
      return await redis.fire(call);
    } catch (err) {
      throw new StoreUnavailableError(err instanceof RedisUnavailableError ? err.retryAfterMs : 1000, { cause: err });
    }
  };

  return {
    async claim(key, record, lockMs) {
      const found = await fire((redis) => redis.eval(CLAIM, 1, key, encodeRecord(record), String(lockMs)));
      return typeof found === 'string' ? { claimed: false, existing: decodeRecord(found) } : { claimed: true };
    },
    async settle(key, owner, record, ttlMs) {
      const done = await fire((redis) => redis.eval(SETTLE, 1, key, owner, encodeRecord(record), String(ttlMs)));
      return done === 1 ? 'settled' : done === 2 ? 'restored' : 'taken';
    },
    async release(key, owner) {
      const done = await fire((redis) => redis.eval(RELEASE, 1, key, owner));
      return done === 1;
    },
    close: () => redis.close(),
  };
}
