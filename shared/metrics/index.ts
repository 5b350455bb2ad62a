export { ignoreBreakers, type BreakerCallResult, type BreakerObserver } from './breakers';
export { createMetrics, type Metrics, type MetricsSettings } from './metrics';
