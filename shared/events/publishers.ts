/**
 * The configured transport's publisher (transport.ts picks it): http POSTs to the Knative sink
 * (http-publisher.ts), kafka produces to the brokers (kafka-publisher.ts), file appends to a local JSONL file
 * (file-publisher.ts). Only the chosen adapter is loaded: in http mode kafkajs never is.
 */
import type { Logger } from '../logging';
import { ignoreBreakers, type BreakerObserver } from '../resilience';
import { createFilePublisher } from './file-publisher';
import type { HttpPublisherConfig } from './http-publisher';
import type { KafkaPublisherConfig } from './kafka-publisher';
import type { EventOutcomeCounter, EventPublisher } from './port';
import { eventTransport } from './transport';

export type PublisherConfig = KafkaPublisherConfig &
  HttpPublisherConfig & {
    readonly EVENT_TRANSPORT?: string | undefined;
    readonly K_SINK?: string | undefined;
    readonly KAFKA_BROKERS?: string | undefined;
    readonly EVENT_OUTBOX_FILE: string;
  };

export function createTransportPublisher(
  config: PublisherConfig,
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
      return createFilePublisher(config.EVENT_OUTBOX_FILE, logger, count);
  }
}
