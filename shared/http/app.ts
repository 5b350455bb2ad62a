/**
 * A function as the launcher and the tests see it: its framework target, its HTTP function, its logger,
 * its readiness, and how to stop what it opened.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import type { Config } from '../config';
import { createLogger, type Logger } from '../logging';
import type { DestinationStream } from 'pino';
import { createHttpFunction } from './function';
import { probeRoutes } from './probes';
import { Readiness } from './readiness';
import type { Route } from './types';

export interface FunctionApp {
  /** The functions-framework target, e.g. `sendMail`. */
  readonly target: string;
  /** The function's name, e.g. `send-mail`; logged as service.name. */
  readonly name: string;
  readonly handle: HttpFunction;
  readonly logger: Logger;
  readonly readiness: Readiness;
  /** Closes pools and connections; called once on shutdown. */
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
  /** Builds the function's routes and resources from the shared ones. */
  build(shared: { readonly config: Config; readonly logger: Logger }): FunctionParts;
}

export function defineFunction(options: DefineOptions): FunctionApp {
  const logger = createLogger({
    service: options.name,
    config: options.config,
    ...(options.version ? { version: options.version } : {}),
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const readiness = new Readiness();
  const parts = options.build({ config: options.config, logger });
  return {
    target: options.target,
    name: options.name,
    handle: createHttpFunction([...probeRoutes(readiness), ...parts.routes], logger),
    logger,
    readiness,
    stop: async () => {
      await parts.stop?.();
    },
  };
}
