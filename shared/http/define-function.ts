/**
 * A function as the launcher and the tests see it: its framework target, its probes and request pipeline,
 * its logger, its readiness, and how to stop what it opened.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import { createLogger, type Logger } from '../logging';
import { createMetrics, type Metrics } from '../metrics';
import { version as SERVICE_VERSION } from '../../package.json';
import type { DestinationStream } from 'pino';
import { trustedProxies } from './client-ip';
import { createPipeline, type RequestPipeline } from './pipeline';
import { createProbes } from './probes';
import { Readiness } from './readiness';
import type { Route } from './types';

export interface FunctionApp {
  /** The functions-framework target, e.g. `sendMail`. */
  readonly target: string;
  /** The function's name, e.g. `send-mail`; logged as service.name. */
  readonly name: string;
  /** The stock functions-framework entry: probes and /metrics first, then the pipeline. */
  readonly handle: HttpFunction;
  /** For a host that bounds requests itself (our launcher): probes first, then `pipeline`. */
  answerProbe(req: IncomingMessage, res: ServerResponse): boolean;
  readonly pipeline: RequestPipeline;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  /**
   * How long the function may still need after its requests' signals abort (e.g. publishing an event for a
   * mail already sent): the shutdown drain aborts in-flight requests this long before its deadline.
   */
  readonly settleMs: number;
  /** The largest body our launcher reads for this function; undefined: MAX_BODY_BYTES. */
  readonly maxBodyBytes?: number;
  /** Closes pools and connections, then pushes metrics when configured; called once on shutdown. */
  stop(): Promise<void>;
}

export interface FunctionParts {
  readonly routes: readonly Route[];
  stop?(): Promise<void>;
}

export interface DefineOptions {
  readonly name: string;
  readonly target: string;
  readonly config: Config;
  readonly version?: string;
  /** Where log lines go; stdout by default. */
  readonly logDestination?: DestinationStream;
  /** See `FunctionApp.settleMs`; 0 by default. */
  readonly settleMs?: number;
  /** See `FunctionApp.maxBodyBytes`. */
  readonly maxBodyBytes?: number;
  /** Builds the function's routes and resources from the shared ones. */
  build(shared: { readonly config: Config; readonly logger: Logger; readonly metrics: Metrics }): FunctionParts;
}

export function defineFunction(options: DefineOptions): FunctionApp {
  const logger = createLogger({
    service: options.name,
    config: options.config,
    version: options.version ?? SERVICE_VERSION,
    destination: options.logDestination,
  });
  const { config } = options;
  const metrics = createMetrics({
    service: options.name,
    kService: config.K_SERVICE,
    kRevision: config.K_REVISION,
  });
  const readiness = new Readiness();
  const parts = options.build({ config, logger, metrics });
  const probes = createProbes(readiness, metrics);
  const pipeline = createPipeline([...probes.routes, ...parts.routes], logger, {
    trustedProxies: trustedProxies(config.TRUSTED_PROXIES),
    observe: (route, method, status, seconds) => {
      metrics.observeRequest(route, method, status, seconds);
      metrics.firstRequestServed();
    },
  });
  return {
    target: options.target,
    name: options.name,
    handle: (req, res) => (probes.answer(req, res) ? undefined : (pipeline.handle(req, res) as unknown)),
    answerProbe: (req, res) => probes.answer(req, res),
    pipeline,
    logger,
    metrics,
    readiness,
    settleMs: options.settleMs ?? 0,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    stop: async () => {
      await parts.stop?.();
      await pushMetrics(options.name, config, metrics, logger);
    },
  };
}

/** On scale to zero the pod may be gone before a scrape: push what it counted, bounded, never blocking exit. */
async function pushMetrics(name: string, config: Config, metrics: Metrics, logger: Logger): Promise<void> {
  if (config.PUSHGATEWAY_URL === undefined) return;
  const instance = [config.K_REVISION ?? name, config.HOSTNAME].filter((part) => part !== undefined).join(':');
  try {
    await metrics.push(config.PUSHGATEWAY_URL, instance, config.PUSHGATEWAY_TIMEOUT_MS);
    logger.info({ metrics: { pushgateway: { instance } } }, 'metrics pushed');
  } catch (err) {
    logger.warn({ err }, 'metrics push failed');
  }
}
