/**
 * The one rule that picks the way events leave a function (EVENT_TRANSPORT, with its default from K_SINK
 * and the brokers), and how long one publish may take in it. Every function that publishes events or checks
 * their peer (health) applies this rule, so they cannot disagree.
 */
import { kafkaTimings } from './kafka-timings';

export const EVENT_TRANSPORTS = ['kafka', 'http', 'file'] as const;
export type EventTransport = (typeof EVENT_TRANSPORTS)[number];

/** What the rule reads. */
export interface TransportChoice {
  readonly EVENT_TRANSPORT?: unknown;
  readonly K_SINK?: unknown;
  readonly KAFKA_BROKERS?: unknown;
}

/** EVENT_TRANSPORT, or its default: http with a sink (a SinkBinding's K_SINK), kafka with brokers, else the local file. */
export function eventTransport(config: TransportChoice): EventTransport {
  const chosen = EVENT_TRANSPORTS.find((transport) => transport === config.EVENT_TRANSPORT);
  if (chosen !== undefined) return chosen;
  if (config.K_SINK !== undefined) return 'http';
  return config.KAFKA_BROKERS === undefined ? 'file' : 'kafka';
}

/**
 * Whether Kafka is the transport whenever brokers are given: the rule above, brokers or not. Then the brokers
 * are needed outside local (locally their absence means the event file).
 */
export function kafkaTransportChosen(config: TransportChoice): boolean {
  return eventTransport({ ...config, KAFKA_BROKERS: config.KAFKA_BROKERS ?? '' }) === 'kafka';
}

/** What bounds one publish in each transport. */
export interface PublishBoundSettings extends TransportChoice {
  readonly EVENT_HTTP_TIMEOUT_MS: number;
  readonly KAFKA_SEND_TIMEOUT_MS: number;
}

/**
 * The longest one publish may take, and the setting that bounds it. http: the POST is aborted at
 * EVENT_HTTP_TIMEOUT_MS, its wait for a connection included. Kafka (and the local file, bounded alike): the
 * client gives up within KAFKA_SEND_TIMEOUT_MS, and its breaker's backstop (kafka-timings.ts) after that.
 */
export function publishBound(config: PublishBoundSettings): { readonly ms: number; readonly setting: string } {
  if (eventTransport(config) === 'http') return { ms: config.EVENT_HTTP_TIMEOUT_MS, setting: 'EVENT_HTTP_TIMEOUT_MS' };
  return { ms: kafkaTimings(config.KAFKA_SEND_TIMEOUT_MS).backstopMs, setting: 'KAFKA_SEND_TIMEOUT_MS' };
}

/** Room beyond the publish for the answer and the dead-letter line. */
const SETTLE_MARGIN_MS = 500;

/**
 * How long a publishing function may still need once the drain tells its requests to stop: one publish of
 * what already happened (a mail out, a report read), with room for its answer and dead letter.
 */
export function publishSettleMs(config: PublishBoundSettings): number {
  return publishBound(config).ms + SETTLE_MARGIN_MS;
}
