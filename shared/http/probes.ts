/**
 * Each function's own cheap probes for Knative, and its /metrics. They touch no dependency, so a probe
 * never wakes or hammers SMTP, Kafka or the identity provider; and they are answered before the request
 * pipeline: no access-log line, no request metrics, no trace work for what Knative and Prometheus poll.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../metrics';
import type { Readiness } from './readiness';
import { writeResult } from './respond';
import type { HttpResult, Route } from './types';

export const LIVENESS_PATH = '/livez';
export const READINESS_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

export interface Probes {
  /** Routes on the probe paths, so the pipeline answers other methods there with 405 (and Allow). */
  readonly routes: readonly Route[];
  /** Answers a GET or HEAD on a probe path or /metrics and returns true; false for any other request. */
  answer(req: IncomingMessage, res: ServerResponse): boolean;
}

export function createProbes(readiness: Readiness, metrics: Metrics): Probes {
  const answers = new Map<string, () => Promise<HttpResult> | HttpResult>([
    [LIVENESS_PATH, () => ({ status: 200, json: { status: 'UP' } })],
    [
      READINESS_PATH,
      () => (readiness.ready ? { status: 200, json: { status: 'UP' } } : { status: 503, json: { status: 'DOWN' } }),
    ],
    // Prometheus text format on the function's own port; not routed publicly (see knative/).
    [
      METRICS_PATH,
      async () => {
        const { contentType, body } = await metrics.render();
        return { status: 200, raw: { data: body, contentType } };
      },
    ],
  ]);
  return {
    routes: [...answers].map(([path, answer]) => ({ method: 'GET', path, handle: answer })),
    answer: (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const answer = answers.get((req.url ?? '/').split('?')[0] ?? '/');
      if (answer === undefined) return false;
      void Promise.resolve()
        .then(answer)
        .then(
          (result) => writeResult(res, result),
          () => writeResult(res, { status: 500 }),
        );
      return true;
    },
  };
}
