export { BreakerRefusedError, createBreaker, type Breaker, type BreakerSettings, type BreakerState } from './breaker';
