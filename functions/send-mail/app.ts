/** Wires send-mail from its configuration: delivery port, routes, and what to close on shutdown. */
import type { DestinationStream } from 'pino';
import { authFailureCounter, createAuthenticator } from '../../shared/auth';
import { createEventPublisher } from '../../shared/events';
import { defineFunction, type FunctionApp } from '../../shared/http';
import { eventSettleMs } from './budget';
import { sendMailBodyLimit } from './http/body-limit';
import { sendMailRoutes } from './http/handler';
import { identity } from './identity';
import { createIdempotency } from './idempotency';
import { createSendMailMetrics } from './metrics';
import { emailSentEvents } from './send-mail';
import type { SendMailConfig } from './settings';
import { createDelivery, type Delivery } from './smtp/delivery';
import { createRateLimit } from './rate-limit';
import { createSuppressionCheck } from './suppression';
import { openSmtpPool, type SmtpPool } from './smtp/pool';

/**
 * What the function is built with besides its configuration: `smtpPool`, the pool main.ts opened before
 * this module loaded; `delivery`, a replacement used only by the benchmark harness to measure our own layer.
 */
export interface PortOverrides {
  readonly delivery?: Delivery;
  readonly smtpPool?: SmtpPool;
}

export function createSendMailApp(
  config: SendMailConfig,
  logDestination?: DestinationStream,
  overrides: PortOverrides = {},
): FunctionApp {
  return defineFunction({
    name: identity.name,
    target: identity.target,
    config,
    // After the drain tells requests to stop, a mail already out still gets its event (or dead letter).
    settleMs: eventSettleMs(config),
    // A send may carry attachments, a batch many mails: the body limit follows from theirs.
    maxBodyBytes: sendMailBodyLimit(config),
    logDestination,
    build: ({ logger, metrics }) => {
      const counters = createSendMailMetrics(metrics.registry);
      const delivery =
        overrides.delivery ??
        createDelivery(config, logger, metrics.breakers, overrides.smtpPool ?? openSmtpPool(config));
      const authenticator = createAuthenticator(config, logger, {
        countFailure: authFailureCounter(metrics.registry),
        breakers: metrics.breakers,
      });
      // The publisher (the CloudEvents SDK; kafkajs in kafka mode only) loads only when the event toggle is on.
      const publisher = config.FEATURE_EMAIL_SENT_EVENT
        ? createEventPublisher(config, logger, counters.countEvent, metrics.breakers)
        : undefined;
      const idempotency = createIdempotency(config, logger, metrics.breakers, counters.countIdempotency);
      const rateLimit = createRateLimit(config, logger, metrics.breakers);
      const suppressions = createSuppressionCheck(config, logger, metrics.breakers, counters.countSuppressionCheck);
      const ports = {
        delivery,
        ...(suppressions ? { suppressions } : {}),
        countEmail: counters.countEmail,
        events: publisher && emailSentEvents(publisher, config),
        oneClickUnsubscribe: config.UNSUBSCRIBE_BASE_URL !== undefined,
      };
      return {
        routes: sendMailRoutes(
          ports,
          {
            authenticator,
            requiredRole: config.SEND_MAIL_REQUIRED_ROLE,
            broadcastRole: config.SEND_BROADCAST_REQUIRED_ROLE,
            rolesClaim: config.AUTH_ROLES_CLAIM,
          },
          {
            maxRecipients: config.MAX_RECIPIENTS,
            maxBodyBytes: config.MAX_BODY_BYTES,
            maxAttachments: config.MAX_ATTACHMENTS,
            maxAttachmentBytes: config.MAX_ATTACHMENT_BYTES,
            maxBatchSize: config.MAX_BATCH_SIZE,
            batchConcurrency: config.SMTP_POOL_SIZE,
          },
          idempotency,
          logger,
          rateLimit,
        ),
        // Shutdown order: the event publisher, then the SMTP pool, then the key store; the metrics push follows.
        stop: async () => {
          await publisher?.stop();
          await delivery.close();
          await idempotency?.close();
          await rateLimit?.close();
          await suppressions?.close();
        },
      };
    },
  });
}
