/** Wires health. For now it answers its probes only. */
import type { DestinationStream } from 'pino';
import type { Config } from '../../shared/config';
import { defineFunction, type FunctionApp } from '../../shared/http';

export const HEALTH_TARGET = 'health';

export function createHealthApp(config: Config, logDestination?: DestinationStream): FunctionApp {
  return defineFunction({
    name: 'health',
    target: HEALTH_TARGET,
    config,
    ...(logDestination ? { logDestination } : {}),
    build: () => ({ routes: [] }),
  });
}
