export { createMetrics, type Metrics, type MetricsSettings } from './metrics';
