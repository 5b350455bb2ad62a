/**
 * Circuit breakers for every call out of a function (SMTP, Kafka, JWKS), on opossum. Each is named and
 * configured explicitly: a broken dependency is then refused in microseconds instead of waited on.
 *
 * One policy for all of them: the breaker opens when the failure percentage in the rolling window passes
 * the threshold, or when the peer fails (or times out) `consecutiveFailures` times in a row, whatever the
 * window holds. The second rule is what opens it on a dead peer at a low request rate, where each call
 * takes a whole timeout and the window would never see enough of them.
 */
import CircuitBreaker from 'opossum';
import type { Logger } from '../logging';
import { ignoreBreakers, type BreakerObserver, type BreakerState } from './observer';

export type { BreakerState } from './observer';

/** Failures in a row that open a breaker unless its settings say otherwise. */
export const DEFAULT_CONSECUTIVE_FAILURES = 3;
/** The shortest rolling window; longer when calls may take long (see windowMs). */
export const MIN_WINDOW_MS = 10_000;

export interface BreakerSettings {
  /**
   * Longest a single call may take before the breaker gives up on it and counts a timeout. `false` or
   * absent: no timeout of the breaker's own, for calls that enforce their own deadline and must never be
   * abandoned while they go on (their own rejection then counts as the failure).
   */
  readonly timeoutMs?: number | false;
  /** Failure percentage in the rolling window that opens the breaker. */
  readonly errorThresholdPercentage: number;
  /** Calls in the window before the percentage is judged; never 0, so one failure does not open it. */
  readonly volumeThreshold: number;
  /** How long the breaker stays open before one trial call. */
  readonly resetTimeoutMs: number;
  /** Concurrent calls allowed; more are refused at once. */
  readonly capacity: number;
  /** Failures or timeouts in a row that open the breaker whatever the window says (default 3). */
  readonly consecutiveFailures?: number;
  /** The rolling window; default max(10 s, 4 × timeoutMs), long enough to see several timeouts. */
  readonly windowMs?: number;
  /** Errors that say nothing about the dependency's health (e.g. a 550 for a bad address): an answer, not a failure. */
  readonly isPermanent?: (err: unknown) => boolean;
  /** A call's own rejection that is a timeout (its own deadline passed): reported as `timeout`, not `failure`. */
  readonly isTimeout?: (err: unknown) => boolean;
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
  constructor(
    readonly breaker: string,
    readonly retryAfterMs: number,
  ) {
    super(`${breaker} breaker refused the call`);
    this.name = 'BreakerRefusedError';
  }
}

/** Thrown when the breaker's own timeout gave up waiting; the call itself may still be going on. */
export class BreakerTimeoutError extends Error {
  readonly code = 'ERR_BREAKER_TIMEOUT';
  constructor(
    readonly breaker: string,
    readonly timeoutMs: number,
  ) {
    super(`${breaker} breaker gave up after ${timeoutMs} ms`);
    this.name = 'BreakerTimeoutError';
  }
}

/** The rolling window for a call timeout: long enough to hold several timeouts. */
export function rollingWindowMs(timeoutMs: number | false | undefined): number {
  return Math.max(MIN_WINDOW_MS, 4 * (timeoutMs || 0));
}

export function createBreaker<A extends unknown[], R>(
  name: string,
  call: (...args: A) => Promise<R>,
  settings: BreakerSettings,
  logger: Logger,
  observer: BreakerObserver = ignoreBreakers,
): Breaker<A, R> {
  const timeout = settings.timeoutMs || false;
  const breaker = new CircuitBreaker(call, {
    name,
    timeout,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    volumeThreshold: settings.volumeThreshold,
    resetTimeout: settings.resetTimeoutMs,
    rollingCountTimeout: settings.windowMs ?? rollingWindowMs(timeout),
    capacity: settings.capacity,
    allowWarmUp: false,
    ...(settings.isPermanent ? { errorFilter: settings.isPermanent } : {}),
  });
  let openedAt = 0;
  observer.stateChanged(name, 'closed');
  breaker.on('open', () => {
    openedAt = Date.now();
    logger.warn({ breaker: { name, state: 'open' } }, `circuit breaker ${name} opened`);
    observer.stateChanged(name, 'open');
  });
  breaker.on('halfOpen', () => {
    logger.info({ breaker: { name, state: 'half-open' } }, `circuit breaker ${name} half-open`);
    observer.stateChanged(name, 'half-open');
  });
  breaker.on('close', () => {
    logger.info({ breaker: { name, state: 'closed' } }, `circuit breaker ${name} closed`);
    observer.stateChanged(name, 'closed');
  });
  openAfterConsecutiveFailures(breaker, settings.consecutiveFailures ?? DEFAULT_CONSECUTIVE_FAILURES);
  observeCalls(breaker, name, settings, observer);

  const retryAfterMs = (): number => Math.max(0, openedAt + settings.resetTimeoutMs - Date.now());
  const state = (): BreakerState => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed');
  return {
    name,
    async fire(...args: A): Promise<R> {
      try {
        return await breaker.fire(...args);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EOPENBREAKER' || code === 'ESEMLOCKED')
          throw new BreakerRefusedError(name, code === 'EOPENBREAKER' ? retryAfterMs() : 1000);
        if (timedOut.has(err as object)) throw new BreakerTimeoutError(name, timeout || 0);
        throw err;
      }
    },
    state,
    retryAfterMs,
    shutdown: () => breaker.shutdown(),
  };
}

/** The errors opossum made when its own timeout fired (it emits `timeout`, then `failure`, with the same error). */
const timedOut = new WeakSet<object>();

/** A refusal for capacity is ours, not the peer's: it says nothing about the peer's health. */
const isCapacityRefusal = (err: unknown): boolean => (err as { code?: string } | undefined)?.code === 'ESEMLOCKED';

/** Counts failures and timeouts in a row (an answer, even a permanent refusal, resets it) and opens at `limit`. */
function openAfterConsecutiveFailures(breaker: CircuitBreaker, limit: number): void {
  let inARow = 0;
  breaker.on('success', () => {
    inARow = 0;
  });
  breaker.on('open', () => {
    inARow = 0;
  });
  breaker.on('close', () => {
    inARow = 0;
  });
  breaker.on('failure', (err: unknown) => {
    if (isCapacityRefusal(err)) return;
    inARow += 1;
    if (inARow >= limit && !breaker.opened) breaker.open();
  });
}

/** One metric result per call. */
function observeCalls(
  breaker: CircuitBreaker,
  name: string,
  settings: BreakerSettings,
  observer: BreakerObserver,
): void {
  breaker.on('success', () => observer.call(name, 'success'));
  breaker.on('timeout', (err: unknown) => {
    timedOut.add(err as object);
    observer.call(name, 'timeout');
  });
  breaker.on('failure', (err: unknown) => {
    if (isCapacityRefusal(err) || timedOut.has(err as object)) return; // counted as capacity / timeout
    observer.call(name, settings.isTimeout?.(err) ? 'timeout' : 'failure');
  });
  breaker.on('reject', () => observer.call(name, 'rejected'));
  breaker.on('semaphoreLocked', () => observer.call(name, 'capacity'));
}

/** A Retry-After header value (whole seconds, at least 1) for a wait in milliseconds. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
