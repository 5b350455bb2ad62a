/** Wires records from its configuration: the database pool, the event publisher, the routes, what to close. */
import type { DestinationStream } from 'pino';
import { authFailureCounter, createAuthenticator } from '../../shared/auth';
import { createDatabasePool } from '../../shared/db';
import { createEventPublisher, publishSettleMs } from '../../shared/events';
import { defineFunction, type FunctionApp } from '../../shared/http';
import { createUnsubscribeTokens } from '../../shared/unsubscribe';
import { recordsRoutes } from './http/handler';
import { identity } from './identity';
import { createRecordsMetrics } from './metrics';
import type { RecordsConfig } from './settings';

export function createRecordsApp(config: RecordsConfig, logDestination?: DestinationStream): FunctionApp {
  return defineFunction({
    name: identity.name,
    target: identity.target,
    config,
    // After the drain tells requests to stop, a change already made still gets its event (or dead letter).
    settleMs: publishSettleMs(config),
    logDestination,
    build: ({ logger, metrics }) => {
      const counters = createRecordsMetrics(metrics.registry);
      const authenticator = createAuthenticator(config, logger, {
        countFailure: authFailureCounter(metrics.registry),
        breakers: metrics.breakers,
      });
      const db = createDatabasePool(config, { applicationName: identity.name, logger, breakers: metrics.breakers });
      const events = createEventPublisher(config, logger, counters.countEvent, metrics.breakers);
      const tokens = createUnsubscribeTokens(config);
      return {
        routes: recordsRoutes(
          { db, events, ...(tokens ? { tokens } : {}), countUnsubscribe: counters.countUnsubscribe },
          {
            authenticator,
            rolesClaim: config.AUTH_ROLES_CLAIM,
            timelineReadRole: config.TIMELINE_READ_ROLE,
            ...(config.TIMELINE_READ_ALL_ROLE === undefined
              ? {}
              : { timelineReadAllRole: config.TIMELINE_READ_ALL_ROLE }),
            suppressionAdminRole: config.SUPPRESSION_ADMIN_ROLE,
          },
          config,
        ),
        stop: async () => {
          await events.stop();
          await db.close();
        },
      };
    },
  });
}
