/**
 * The port for email.sent events, and its factory. A failed event never fails the request (the mail is
 * out, a retry would send it twice): it becomes a dead letter (dead-letters.ts). With brokers, events go to
 * Kafka (kafka-publisher.ts); locally without brokers, to a JSONL file (file-publisher.ts).
 */
import type { Logger } from '../../shared/logging';
import { ignoreBreakers, type BreakerObserver } from '../../shared/resilience';
import type { EmailSentData } from '../../shared/contracts/email-sent';
import type { EmailSentExtensions } from './email-sent-event';
import { createFilePublisher } from './file-publisher';
import { createKafkaPublisher, type KafkaPublisherConfig } from './kafka-publisher';
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
  /** DOWN after a failed send until the next success. */
  status(): 'UP' | 'DOWN';
  stop(): Promise<void>;
}

/** The seam for the events metric. */
export type EventOutcomeCounter = (outcome: EventOutcome) => void;

export type EventsConfig = KafkaPublisherConfig &
  Pick<SendMailConfig, 'FEATURE_EMAIL_SENT_EVENT' | 'KAFKA_BROKERS' | 'EVENT_OUTBOX_FILE'>;

/** Undefined when the feature toggle is off: then nothing is created and nothing connects. */
export function createEventPublisher(
  config: EventsConfig,
  logger: Logger,
  count: EventOutcomeCounter = () => undefined,
  breakers: BreakerObserver = ignoreBreakers,
): EventPublisher | undefined {
  if (!config.FEATURE_EMAIL_SENT_EVENT) return undefined;
  return config.KAFKA_BROKERS === undefined
    ? createFilePublisher(config, config.EVENT_OUTBOX_FILE, logger, count)
    : createKafkaPublisher(config, config.KAFKA_BROKERS, logger, count, breakers);
}
