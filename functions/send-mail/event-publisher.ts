/**
 * The port for email.sent events, and its factory. A failed event never fails the request (the mail is
 * out, a retry would send it twice): it becomes a dead letter (dead-letters.ts). EVENT_TRANSPORT chooses
 * the adapter (event-transport.ts): http POSTs to the Knative sink (http-publisher.ts), kafka produces to
 * the brokers (kafka-publisher.ts), file appends to a local JSONL file (file-publisher.ts). Only the chosen
 * adapter is loaded: in http mode kafkajs never is.
 */
import type { CloudEvent } from 'cloudevents';
import type { Logger } from '../../shared/logging';
import { ignoreBreakers, type BreakerObserver } from '../../shared/resilience';
import type { EmailSentData } from '../../shared/contracts/email-sent';
import type { EmailSentExtensions } from './email-sent-event';
import { eventTransport } from './event-transport';
import { createFilePublisher } from './file-publisher';
import type { HttpPublisherConfig } from './http-publisher';
import type { KafkaPublisherConfig } from './kafka-publisher';
import type { SendMailConfig } from './settings';
import type { TraceContext } from '../../shared/tracing';

export type EventOutcome = 'published' | 'dead_lettered';

export interface EventPublisher {
  /** Builds the CloudEvent for a delivered mail and publishes it, or dead-letters it; never throws. */
  publish(data: EmailSentData, trace: TraceContext, extensions?: EmailSentExtensions): Promise<EventOutcome>;
  /**
   * For a mail whose outcome is unknown (502 email.send.unknown): builds its event and writes it as a held
   * dead letter, never to Kafka. Replay it only once the Message-ID is found at the SMTP server.
   */
  hold(data: EmailSentData, trace: TraceContext, extensions?: EmailSentExtensions): void;
  /**
   * Sends an event built earlier unchanged (same id, source, time): the replay of a dead letter. Rejects
   * with the send's error; writes no dead letter (the replay tool keeps the line).
   */
  replay(event: CloudEvent<EmailSentData>): Promise<void>;
  /** DOWN after a failed send until the next success. */
  status(): 'UP' | 'DOWN';
  stop(): Promise<void>;
}

/** The seam for the events metric. */
export type EventOutcomeCounter = (outcome: EventOutcome) => void;

export type EventsConfig = KafkaPublisherConfig &
  HttpPublisherConfig &
  Pick<
    SendMailConfig,
    | 'FEATURE_EMAIL_SENT_EVENT'
    | 'EVENT_TRANSPORT'
    | 'K_SINK'
    | 'KAFKA_BROKERS'
    | 'KAFKA_ALLOW_AUTO_TOPIC_CREATION'
    | 'EVENT_OUTBOX_FILE'
  >;

/** Undefined when the feature toggle is off: then nothing is created and nothing connects. */
export function createEventPublisher(
  config: EventsConfig,
  logger: Logger,
  count: EventOutcomeCounter = () => undefined,
  breakers: BreakerObserver = ignoreBreakers,
): EventPublisher | undefined {
  if (!config.FEATURE_EMAIL_SENT_EVENT) return undefined;
  return createTransportPublisher(config, logger, count, breakers);
}

/** The configured transport's publisher, whatever the toggle says (the replay tool sends through it too). */
export function createTransportPublisher(
  config: Omit<EventsConfig, 'FEATURE_EMAIL_SENT_EVENT'>,
  logger: Logger,
  count: EventOutcomeCounter = () => undefined,
  breakers: BreakerObserver = ignoreBreakers,
): EventPublisher {
  switch (eventTransport(config)) {
    case 'http': {
      if (config.K_SINK === undefined) throw new TypeError('EVENT_TRANSPORT=http needs K_SINK');
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only in http mode, synchronously, at start
      const { createHttpPublisher } = require('./http-publisher') as typeof import('./http-publisher');
      return createHttpPublisher(config, config.K_SINK, logger, count, breakers);
    }
    case 'kafka': {
      if (config.KAFKA_BROKERS === undefined) throw new TypeError('EVENT_TRANSPORT=kafka needs KAFKA_BROKERS');
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs loads only in kafka mode, synchronously, at start
      const { createKafkaPublisher } = require('./kafka-publisher') as typeof import('./kafka-publisher');
      return createKafkaPublisher(config, config.KAFKA_BROKERS, logger, count, breakers);
    }
    case 'file':
      return createFilePublisher(config, config.EVENT_OUTBOX_FILE, logger, count);
  }
}
