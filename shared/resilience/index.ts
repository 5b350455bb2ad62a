export {
  BreakerRefusedError,
  BreakerTimeoutError,
  createBreaker,
  DEFAULT_CONSECUTIVE_FAILURES,
  retryAfterSeconds,
  rollingWindowMs,
  type Breaker,
  type BreakerSettings,
  type BreakerState,
} from './breaker';
export { withDeadline } from './deadline';
export { ignoreBreakers, type BreakerCallResult, type BreakerObserver } from './observer';
