/** Wires recorder from its configuration: the database pool, the route Knative delivers to, what to close. */
import type { DestinationStream } from 'pino';
import { createDatabasePool } from '../../shared/db';
import { defineFunction, type FunctionApp } from '../../shared/http';
import type { IncomingEvent } from './events';
import { recorderRoutes } from './http/handler';
import { identity } from './identity';
import { createRecorderMetrics } from './metrics';
import { recordEvent, type RecordResult } from './recorder';
import type { RecorderConfig } from './settings';

export interface RecorderApp extends FunctionApp {
  /** The use case, for a host that decodes the CloudEvent itself (the stock framework's `cloudEvent`). */
  readonly receive: (event: IncomingEvent) => Promise<RecordResult>;
}

export function createRecorderApp(config: RecorderConfig, logDestination?: DestinationStream): RecorderApp {
  let receive: RecorderApp['receive'] | undefined;
  const app = defineFunction({
    name: identity.name,
    target: identity.target,
    config,
    logDestination,
    build: ({ logger, metrics }) => {
      const db = createDatabasePool(config, { applicationName: identity.name, logger, breakers: metrics.breakers });
      const counters = createRecorderMetrics(metrics.registry);
      const record: RecorderApp['receive'] = (event) =>
        recordEvent(event, { db, ...counters }, config.EVENT_TYPE_PREFIX);
      receive = record;
      return { routes: recorderRoutes(record), stop: () => db.close() };
    },
  });
  // defineFunction builds the function before it returns.
  if (receive === undefined) throw new TypeError('recorder was not built');
  return { ...app, receive };
}
