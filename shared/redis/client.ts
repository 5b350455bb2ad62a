/**
 * One Redis (or Valkey) connection through ioredis, for a function's own use (the idempotency keys, the rate
 * limits): TLS (`rediss://`) and auth come with the URL. Every call, connection wait included, is bounded by
 * `timeoutMs` and goes through a named breaker; no command waits in an offline queue, where it could run long
 * after its caller gave up.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logging';
import { BreakerRefusedError, createBreaker, ignoreBreakers, type Breaker, type BreakerObserver } from '../resilience';

export interface RedisCallerOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly breakerResetMs: number;
  /** The breaker's name (its metric label) and what the log lines call the store. */
  readonly breaker: string;
  readonly what: string;
}

/** A call that did not reach Redis, or got no answer in time: `retryAfterMs` is when to try again. */
export class RedisUnavailableError extends Error {
  constructor(
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super('redis unavailable', options);
    this.name = 'RedisUnavailableError';
  }
}

export interface RedisCaller {
  /** Runs `call` on the connection; rejects with RedisUnavailableError when Redis cannot answer. */
  fire<T>(call: (redis: Redis) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type Call = (client: Redis) => Promise<unknown>;

export function createRedisCaller(
  options: RedisCallerOptions,
  logger: Logger,
  breakers: BreakerObserver = ignoreBreakers,
): RedisCaller {
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
    logger.warn({ err, redis: { status: client.status } }, `${options.what} unreachable`);
  });
  client.on('ready', () => {
    if (reported) logger.info(`${options.what} reachable again`);
    reported = false;
  });
  client.connect().catch(() => undefined); // errors are reported above; calls wait for 'ready' below
  const ready = whenReady(client, options.timeoutMs);

  const breaker: Breaker<[Call], unknown> = createBreaker(
    options.breaker,
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
  return {
    async fire<T>(call: (redis: Redis) => Promise<T>): Promise<T> {
      try {
        return (await breaker.fire(call)) as T;
      } catch (err) {
        throw new RedisUnavailableError(err instanceof BreakerRefusedError ? err.retryAfterMs : 1000, { cause: err });
      }
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
