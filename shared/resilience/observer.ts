/**
 * What a circuit breaker tells whoever watches it (shared/metrics implements it): its state, once when it
 * is created and on every change, and every call's result. Declared here so resilience needs no metrics.
 */
export type BreakerState = 'closed' | 'half-open' | 'open';

export type BreakerCallResult = 'success' | 'failure' | 'timeout' | 'rejected' | 'capacity';

export interface BreakerObserver {
  stateChanged(name: string, state: BreakerState): void;
  call(name: string, result: BreakerCallResult): void;
}

export const ignoreBreakers: BreakerObserver = { stateChanged: () => undefined, call: () => undefined };
