/** Wires docs. For now it answers its probes only. */
import type { DestinationStream } from 'pino';
import type { Config } from '../../shared/config';
import { defineFunction, type FunctionApp } from '../../shared/http';

export const DOCS_TARGET = 'docs';

export function createDocsApp(config: Config, logDestination?: DestinationStream): FunctionApp {
  return defineFunction({
    name: 'docs',
    target: DOCS_TARGET,
    config,
    ...(logDestination ? { logDestination } : {}),
    build: () => ({ routes: [] }),
  });
}
