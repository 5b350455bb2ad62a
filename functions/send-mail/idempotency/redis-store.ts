/**
 * The key store on Redis (or Valkey), through ioredis. The claim is one atomic `SET key value NX PX lock`
 * (in a script that returns what was there when it was taken); settling and releasing check the owner in
 * the same script. TLS (`rediss://`) and auth come with IDEMPOTENCY_REDIS_URL.
 *
 * Every call, connection wait included, is bounded by IDEMPOTENCY_REDIS_TIMEOUT_MS: the `redis` breaker's
 * timeout (ioredis's `commandTimeout` is the same, for the command alone). No command waits in an offline
 * queue, where a claim could be sent after its request was refused and lock the key for nothing.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../../shared/logging';
import {
  BreakerRefusedError,
  createBreaker,
  ignoreBreakers,
  type Breaker,
  type BreakerObserver,
} from '../../../shared/resilience';
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

type Call = (client: Redis) => Promise<unknown>;

export function createRedisStore(
  options: RedisStoreOptions,
  logger: Logger,
  breakers: BreakerObserver = ignoreBreakers,
): IdempotencyStore {
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.timeoutMs,
    connectTimeout: options.timeoutMs,
    // Reconnect soon, but never hammer a peer that is down.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
  });
  let reported = false;
  client.on('error', (err: Error) => {
    // One line per outage, not one per reconnect attempt.
    if (reported) return;
    reported = true;
    logger.warn({ err, redis: { status: client.status } }, 'idempotency store unreachable');
  });
  client.on('ready', () => {
    if (reported) logger.info('idempotency store reachable again');
    reported = false;
  });
  client.connect().catch(() => undefined); // errors are reported above; calls wait for 'ready' below
  const ready = whenReady(client, options.timeoutMs);

  const breaker: Breaker<[Call], unknown> = createBreaker(
    'redis',
    async (call: Call) => {
      await ready();
      return call(client);
    },
    {
      timeoutMs: options.timeoutMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: options.breakerResetMs,
      capacity: 1000,
    },
    logger,
    breakers,
  );
  const fire = async <T>(call: (redis: Redis) => Promise<T>): Promise<T> => {
    try {
      return (await breaker.fire(call)) as T;
    } catch (err) {
      throw new StoreUnavailableError(err instanceof BreakerRefusedError ? err.retryAfterMs : 1000, { cause: err });
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
    async close() {
      breaker.shutdown();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`; waiting calls share one listener. */
function whenReady(client: Redis, timeoutMs: number): () => Promise<void> {
  let connected: Promise<void> | undefined;
  return () => {
    if (client.status === 'ready') return Promise.resolve();
    connected ??= new Promise<void>((resolve) => client.once('ready', resolve)).finally(() => (connected = undefined));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis not ready within ${timeoutMs} ms (${client.status})`)),
        timeoutMs,
      );
    });
    return Promise.race([connected, late]).finally(() => clearTimeout(timer));
  };
}
