/** Wires send-mail from its configuration: delivery port, routes, and what to close on shutdown. */
import type { DestinationStream } from 'pino';
import { createAuthenticator } from '../../shared/auth';
import { eventSettleMs, type Config } from '../../shared/config';
import { defineFunction, type FunctionApp } from '../../shared/http';
import { createDelivery, type Delivery } from './delivery';
import { sendMailRoutes } from './handler';

export const SEND_MAIL_TARGET = 'sendMail';

/** Replacements for the outgoing ports; only the benchmark harness uses them, to measure our own layer. */
export interface PortOverrides {
  readonly delivery?: Delivery;
}

/** The Kafka client and the CloudEvents SDK load only when the event toggle is on. */
function loadEvents(): typeof import('./events') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs loads only with the toggle on, synchronously, at start
  return require('./events') as typeof import('./events');
}

export function createSendMailApp(config: Config, logDestination?: DestinationStream, overrides: PortOverrides = {}): FunctionApp {
  return defineFunction({
    name: 'send-mail',
    target: SEND_MAIL_TARGET,
    config,
    // After the drain tells requests to stop, a mail already out still gets its event (or dead letter).
    settleMs: eventSettleMs(config),
    ...(logDestination ? { logDestination } : {}),
    build: ({ logger, metrics }) => {
      const delivery = overrides.delivery ?? createDelivery(config, logger, metrics.breakers);
      const authenticator = createAuthenticator(config, logger, { countFailure: (reason) => metrics.countAuthFailure(reason), breakers: metrics.breakers });
      const events = config.FEATURE_EMAIL_SENT_EVENT ? loadEvents().createEventPublisher(config, logger, (outcome) => metrics.countEvent(outcome), metrics.breakers) : undefined;
      const ports = { delivery, logger, countEmail: (outcome: Parameters<typeof metrics.countEmail>[0]) => metrics.countEmail(outcome), ...(events ? { events } : {}) };
      return {
        routes: sendMailRoutes(ports, { authenticator, requiredRole: config.SEND_MAIL_REQUIRED_ROLE }),
        // Shutdown order: the Kafka producer, then the SMTP pool; the metrics push follows.
        stop: async () => {
          await events?.stop();
          await delivery.close();
        },
      };
    },
  });
}
