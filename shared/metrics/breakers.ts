/** What circuit breakers report to metrics: their state, read at scrape time, and every call's result. */
export type BreakerCallResult = 'success' | 'failure' | 'timeout' | 'rejected' | 'capacity';

export interface BreakerObserver {
  /** Registers a breaker whose state is read when metrics are collected. */
  watch(name: string, state: () => 'closed' | 'half-open' | 'open'): void;
  call(name: string, result: BreakerCallResult): void;
}

export const ignoreBreakers: BreakerObserver = { watch: () => undefined, call: () => undefined };
