/** Wires health: dependency checks, the cached report, and optional auth for details. */
import type { DestinationStream } from 'pino';
import { createAuthenticator } from '../../shared/auth';
import type { Config } from '../../shared/config';
import { defineFunction, type FunctionApp } from '../../shared/http';
import { dependencyChecks } from './checks';
import { healthRoutes } from './handler';

export const HEALTH_TARGET = 'health';

export function createHealthApp(config: Config, logDestination?: DestinationStream): FunctionApp {
  return defineFunction({
    name: 'health',
    target: HEALTH_TARGET,
    config,
    ...(logDestination ? { logDestination } : {}),
    build: ({ logger, metrics }) => {
      const authenticator = createAuthenticator(config, logger, { countFailure: (reason) => metrics.countAuthFailure(reason), breakers: metrics.breakers });
      return {
        routes: healthRoutes(dependencyChecks(config), { authenticator, detailsRole: config.HEALTH_DETAILS_ROLE }, config.HEALTH_CACHE_SECONDS * 1000),
      };
    },
  });
}
