/** Wires send-mail from its configuration: delivery port, routes, and what to close on shutdown. */
import type { DestinationStream } from 'pino';
import { authFailureCounter, createAuthenticator } from '../../shared/auth';
import { defineFunction, type FunctionApp } from '../../shared/http';
import { eventSettleMs } from './budget';
import { createDelivery, type Delivery } from './delivery';
import { sendMailRoutes } from './handler';
import { createIdempotency } from './idempotency';
import { createSendMailMetrics } from './metrics';
import type { SendMailConfig } from './settings';
import type { SmtpPool } from './smtp-pool';

export const SEND_MAIL_TARGET = 'sendMail';

/**
 * What the function is built with besides its configuration: `smtpPool`, the pool main.ts opened before
 * this module loaded; `delivery`, a replacement used only by the benchmark harness to measure our own layer.
 */
export interface PortOverrides {
  readonly delivery?: Delivery;
  readonly smtpPool?: SmtpPool;
}

/** The events adapter (kafkajs in kafka mode only) and the CloudEvents SDK load only when the event toggle is on. */
function loadEvents(): typeof import('./event-publisher') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs loads only with the toggle on, synchronously, at start
  return require('./event-publisher') as typeof import('./event-publisher');
}

export function createSendMailApp(
  config: SendMailConfig,
  logDestination?: DestinationStream,
  overrides: PortOverrides = {},
): FunctionApp {
  return defineFunction({
    name: 'send-mail',
    target: SEND_MAIL_TARGET,
    config,
    // After the drain tells requests to stop, a mail already out still gets its event (or dead letter).
    settleMs: eventSettleMs(config),
    logDestination,
    build: ({ logger, metrics }) => {
      const counters = createSendMailMetrics(metrics.registry);
      const delivery = overrides.delivery ?? createDelivery(config, logger, metrics.breakers, overrides.smtpPool);
      const authenticator = createAuthenticator(config, logger, {
        countFailure: authFailureCounter(metrics.registry),
        breakers: metrics.breakers,
      });
      const events = config.FEATURE_EMAIL_SENT_EVENT
        ? loadEvents().createEventPublisher(config, logger, counters.countEvent, metrics.breakers)
        : undefined;
      const idempotency = createIdempotency(config, logger, metrics.breakers, counters.countIdempotency);
      const ports = { delivery, countEmail: counters.countEmail, events };
      return {
        routes: sendMailRoutes(
          ports,
          { authenticator, requiredRole: config.SEND_MAIL_REQUIRED_ROLE },
          { maxRecipients: config.MAX_RECIPIENTS },
          idempotency,
        ),
        // Shutdown order: the Kafka producer, then the SMTP pool, then the key store; the metrics push follows.
        stop: async () => {
          await events?.stop();
          await delivery.close();
          await idempotency?.close();
        },
      };
    },
  });
}
