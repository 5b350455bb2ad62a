/**
 * Each function's own cheap probes for Knative. They touch no dependency, so a probe never wakes or
 * hammers SMTP, Kafka or the identity provider.
 */
import type { Metrics } from '../metrics';
import type { Readiness } from './readiness';
import type { Route } from './types';

export const LIVENESS_PATH = '/livez';
export const READINESS_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

export function probeRoutes(readiness: Readiness): Route[] {
  return [
    { method: 'GET', path: LIVENESS_PATH, handle: () => ({ status: 200, json: { status: 'UP' } }) },
    {
      method: 'GET',
      path: READINESS_PATH,
      handle: () => (readiness.ready ? { status: 200, json: { status: 'UP' } } : { status: 503, json: { status: 'DOWN' } }),
    },
  ];
}

/** Prometheus text format on the function's own port; not routed publicly (see knative/). */
export function metricsRoute(metrics: Metrics): Route {
  return {
    method: 'GET',
    path: METRICS_PATH,
    handle: async () => {
      const { contentType, body } = await metrics.render();
      return { status: 200, raw: { data: body, contentType } };
    },
  };
}
