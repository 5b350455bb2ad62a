/**
 * Circuit breakers for every call out of a function (SMTP, Kafka, JWKS), on opossum. Each is named and
 * configured explicitly: a broken dependency is then refused in microseconds instead of waited on.
 */
import CircuitBreaker from 'opossum';
import type { Logger } from '../logging';
import { ignoreBreakers, type BreakerObserver } from '../metrics';

export type BreakerState = 'closed' | 'half-open' | 'open';

export interface BreakerSettings {
  /** Longest a single call may take before it counts as failed; false when the call bounds itself. */
  readonly timeoutMs: number | false;
  /** Failure percentage in the rolling window that opens the breaker. */
  readonly errorThresholdPercentage: number;
  /** Calls in the window before the percentage is judged; never 0, so one failure does not open it. */
  readonly volumeThreshold: number;
  /** How long the breaker stays open before one trial call. */
  readonly resetTimeoutMs: number;
  /** Concurrent calls allowed; more are refused at once. */
  readonly capacity: number;
  /** Errors that say nothing about the dependency's health (e.g. a 550 for a bad address). */
  readonly isPermanent?: (err: unknown) => boolean;
}

export interface Breaker<A extends unknown[], R> {
  readonly name: string;
  fire(...args: A): Promise<R>;
  state(): BreakerState;
  /** Milliseconds until an open breaker lets a trial call through. */
  retryAfterMs(): number;
  shutdown(): void;
}

/** Thrown instead of calling when the breaker is open or at capacity. */
export class BreakerRefusedError extends Error {
  readonly code = 'ERR_BREAKER_REFUSED';
  constructor(readonly breaker: string, readonly retryAfterMs: number) {
    super(`${breaker} breaker refused the call`);
    this.name = 'BreakerRefusedError';
  }
}

export function createBreaker<A extends unknown[], R>(
  name: string,
  call: (...args: A) => Promise<R>,
  settings: BreakerSettings,
  logger: Logger,
  observer: BreakerObserver = ignoreBreakers,
): Breaker<A, R> {
  const breaker = new CircuitBreaker(call, {
    name,
    timeout: settings.timeoutMs,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    volumeThreshold: settings.volumeThreshold,
    resetTimeout: settings.resetTimeoutMs,
    capacity: settings.capacity,
    allowWarmUp: false,
    ...(settings.isPermanent ? { errorFilter: settings.isPermanent } : {}),
  });
  let openedAt = 0;
  breaker.on('open', () => {
    openedAt = Date.now();
    logger.warn({ breaker: { name, state: 'open' } }, `circuit breaker ${name} opened`);
  });
  breaker.on('halfOpen', () => logger.info({ breaker: { name, state: 'half-open' } }, `circuit breaker ${name} half-open`));
  breaker.on('close', () => logger.info({ breaker: { name, state: 'closed' } }, `circuit breaker ${name} closed`));

  breaker.on('success', () => observer.call(name, 'success'));
  breaker.on('failure', () => observer.call(name, 'failure'));
  breaker.on('timeout', () => observer.call(name, 'timeout'));
  breaker.on('reject', () => observer.call(name, 'rejected'));
  breaker.on('semaphoreLocked', () => observer.call(name, 'capacity'));

  const retryAfterMs = (): number => Math.max(0, openedAt + settings.resetTimeoutMs - Date.now());
  const state = (): BreakerState => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed');
  observer.watch(name, state);
  return {
    name,
    async fire(...args: A): Promise<R> {
      try {
        return await breaker.fire(...args);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EOPENBREAKER' || code === 'ESEMLOCKED') throw new BreakerRefusedError(name, code === 'EOPENBREAKER' ? retryAfterMs() : 1000);
        throw err;
      }
    },
    state,
    retryAfterMs,
    shutdown: () => breaker.shutdown(),
  };
}

/** A Retry-After header value (whole seconds, at least 1) for a wait in milliseconds. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
