/** Wires feedback from its configuration: the VERP reader, the event publisher, the route, what to close. */
import type { DestinationStream } from 'pino';
import { authFailureCounter, createAuthenticator } from '../../shared/auth';
import { createEventPublisher, publishSettleMs } from '../../shared/events';
import { defineFunction, type FunctionApp } from '../../shared/http';
import { createVerp } from '../../shared/verp';
import { feedbackRoutes } from './http/handler';
import { identity } from './identity';
import { createFeedbackMetrics } from './metrics';
import type { FeedbackConfig } from './settings';

export function createFeedbackApp(config: FeedbackConfig, logDestination?: DestinationStream): FunctionApp {
  return defineFunction({
    name: identity.name,
    target: identity.target,
    config,
    // A report is a whole mail: its own limit instead of MAX_BODY_BYTES.
    maxBodyBytes: config.FEEDBACK_MAX_BYTES,
    // After the drain tells requests to stop, a report already read still gets its events (or dead letters).
    settleMs: publishSettleMs(config),
    logDestination,
    build: ({ logger, metrics }) => {
      const counters = createFeedbackMetrics(metrics.registry);
      const authenticator = createAuthenticator(config, logger, {
        countFailure: authFailureCounter(metrics.registry),
        breakers: metrics.breakers,
      });
      const events = createEventPublisher(config, logger, counters.countEvent, metrics.breakers);
      const verp = createVerp(config);
      return {
        routes: feedbackRoutes(
          {
            events,
            ...(verp ? { verp } : {}),
            countReport: counters.countReport,
            countRecipient: counters.countRecipient,
          },
          { authenticator, requiredRole: config.FEEDBACK_REQUIRED_ROLE },
          config,
        ),
        stop: () => events.stop(),
      };
    },
  });
}
