export { BreakerRefusedError, createBreaker, retryAfterSeconds, type Breaker, type BreakerSettings, type BreakerState } from './breaker';
export { withDeadline } from './deadline';
