/**
 * Prometheus metrics of one function, on its own registry: default process metrics, HTTP requests,
 * breaker calls and state, and the cold start. Labels carry the function and, on Knative,
 * K_SERVICE/K_REVISION. Business metrics are registered on the same registry by their owners
 * (functions/send-mail/metrics.ts, shared/auth/metrics.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Pushgateway, Registry } from 'prom-client';
import { withDeadline, type BreakerObserver, type BreakerState } from '../resilience';

export interface MetricsSettings {
  readonly service: string;
  readonly kService?: string;
  readonly kRevision?: string;
}

export interface Metrics {
  /** Where a function's own metrics are registered, so they are rendered and pushed with these. */
  readonly registry: Registry;
  /** Implements resilience's observer: breaker calls by result, and the state of each breaker. */
  readonly breakers: BreakerObserver;
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** Records process start → first request served, once. */
  firstRequestServed(): void;
  render(): Promise<{ contentType: string; body: string }>;
  push(url: string, instance: string, timeoutMs: number): Promise<void>;
}

const STATE_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;

export function createMetrics(settings: MetricsSettings): Metrics {
  const registry = new Registry();
  // Knative's names label every series when they are set; outside Knative there are none.
  const labels = { function: settings.service, k_service: settings.kService, k_revision: settings.kRevision };
  registry.setDefaultLabels(Object.fromEntries(Object.entries(labels).filter(([, value]) => value)));
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters; promtool rejects them, and nodejs_active_handles etc. carry the same numbers.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);

  const requests = new Histogram({
    name: 'http_server_requests_seconds',
    help: 'HTTP requests served, by route, method and status (probes and /metrics excluded).',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const breakerCalls = new Counter({
    name: 'circuit_breaker_calls_total',
    help: 'Calls through circuit breakers by result.',
    labelNames: ['breaker', 'result'],
    registers: [registry],
  });
  const breakerState = new Gauge({
    name: 'circuit_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
    labelNames: ['breaker'],
    registers: [registry],
  });
  const coldStart = new Gauge({
    name: 'function_cold_start_seconds',
    help: 'Process start to the first request served.',
    registers: [registry],
  });
  let firstServed = false;

  return {
    registry,
    breakers: {
      stateChanged: (name: string, state: BreakerState) => breakerState.set({ breaker: name }, STATE_VALUES[state]),
      call: (name, result) => breakerCalls.inc({ breaker: name, result }),
    },
    observeRequest: (route, method, status, seconds) =>
      requests.observe({ route, method, status: String(status) }, seconds),
    firstRequestServed() {
      if (firstServed) return;
      firstServed = true;
      coldStart.set(process.uptime());
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    async push(url, instance, timeoutMs) {
      const gateway = new Pushgateway(url, { timeout: timeoutMs }, registry);
      await withDeadline(
        gateway.pushAdd({ jobName: settings.service, groupings: { instance } }),
        timeoutMs,
        `push did not finish in ${timeoutMs} ms`,
      );
    },
  };
}
