/**
 * Publishing CloudEvents, for any function: the port, the one transport rule, the settings, and the
 * publishers with their breakers and dead letters. The publishers (the CloudEvents SDK; kafkajs in kafka
 * mode only) load on the first `createEventPublisher`: a function whose events are off never loads them.
 * Each event type's contract lives in shared/contracts/<event>/; building and deciding to publish or hold
 * an event is its producer's.
 */
import type { Logger } from '../logging';
import type { BreakerObserver } from '../resilience';
import type { EventOutcomeCounter, EventPublisher } from './port';
import type { PublisherConfig } from './publishers';

export { DEAD_LETTER_MESSAGE_SUFFIX, FAILED_CODE, HELD_CODE, isDeadLetterMessage } from './dead-letter-line';
export { kafkaConnection, type KafkaConnectionConfig } from './kafka-client';
export type { EventOutcome, EventOutcomeCounter, EventPublisher, OutgoingEvent } from './port';
export type { PublisherConfig } from './publishers';
export {
  emailSentToggleSettings,
  eventPeerSettings,
  eventPeerSpecs,
  eventPublishingSettings,
  eventPublishingSpecs,
  publicBaseUrl,
} from './settings';
export {
  EVENT_TRANSPORTS,
  eventTransport,
  kafkaTransportChosen,
  publishBound,
  publishSettleMs,
  type EventTransport,
  type PublishBoundSettings,
  type TransportChoice,
} from './transport';

/** The configured transport's publisher (EVENT_TRANSPORT, or its default from K_SINK and the brokers). */
export function createEventPublisher(
  config: PublisherConfig,
  logger: Logger,
  count?: EventOutcomeCounter,
  breakers?: BreakerObserver,
): EventPublisher {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK and the chosen transport load on first use, synchronously, at start
  const { createTransportPublisher } = require('./publishers') as typeof import('./publishers');
  return createTransportPublisher(config, logger, count, breakers);
}
