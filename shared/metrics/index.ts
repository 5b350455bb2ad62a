export { createMetrics, type Metrics, type MetricsSettings } from './metrics';
export { prunePushgateway, pushedGroups, type PushedGroup } from './prune';
