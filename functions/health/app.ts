/** Wires health: dependency checks, the cached report, and optional auth for details. */
import type { DestinationStream } from 'pino';
import { authFailureCounter, createAuthenticator } from '../../shared/auth';
import { defineFunction, type FunctionApp } from '../../shared/http';
import { dependencyChecks } from './checks';
import { healthRoutes } from './handler';
import { identity } from './identity';
import type { HealthConfig } from './settings';

export function createHealthApp(config: HealthConfig, logDestination?: DestinationStream): FunctionApp {
  return defineFunction({
    name: identity.name,
    target: identity.target,
    config,
    logDestination,
    build: ({ logger, metrics }) => {
      const authenticator = createAuthenticator(config, logger, {
        countFailure: authFailureCounter(metrics.registry),
        breakers: metrics.breakers,
      });
      return {
        routes: healthRoutes(
          dependencyChecks(config),
          { authenticator, detailsRole: config.HEALTH_DETAILS_ROLE },
          config.HEALTH_CACHE_SECONDS * 1000,
        ),
      };
    },
  });
}
