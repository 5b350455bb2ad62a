/**
 * Events to Kafka. One producer per process, connected in the background at start; the client
 * gives up on a send within KAFKA_SEND_TIMEOUT_MS by itself (kafka-send.ts sizes its timeouts), and a
 * circuit breaker guards it (its timeout only a backstop). Records are batched: one produce request per
 * batch, `acks=all`. A failed send dead-letters every event of its batch (dead-letters.ts).
 */
import { Kafka as CloudEventsKafka, type CloudEvent } from 'cloudevents';
import DataLoader from 'dataloader';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { createBreaker, type Breaker, type BreakerObserver } from '../resilience';
import { b3HeaderOf } from './cloud-event';
import { withDeadLetters } from './dead-letters';
import { EventSendError } from './errors';
import { kafkaConnection, type KafkaConnectionConfig } from './kafka-client';
import { countProduceWrites, isRequestTimeout, sendOutcome } from './kafka-send';
import { kafkaTimings } from './kafka-timings';
import type { EventOutcomeCounter, EventPublisher } from './port';
import type { eventPublishingSpecs } from './settings';

export interface KafkaRecord {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

export type KafkaPublisherConfig = KafkaConnectionConfig &
  Pick<
    Config<typeof eventPublishingSpecs>,
    'KAFKA_CONTENT_MODE' | 'KAFKA_SEND_TIMEOUT_MS' | 'KAFKA_BREAKER_RESET_SECONDS' | 'KAFKA_ALLOW_AUTO_TOPIC_CREATION'
  > & {
    /** The publisher's own topic (each function's KAFKA_TOPIC). */
    readonly KAFKA_TOPIC: string;
  };

/** The record as the CloudEvents Kafka binding says, plus the trace headers Sleuth-style consumers read. */
export function toKafkaRecord(event: CloudEvent<unknown>, mode: 'binary' | 'structured', traceId: string): KafkaRecord {
  const message = mode === 'binary' ? CloudEventsKafka.binary(event) : CloudEventsKafka.structured(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined && value !== null) headers[name] = String(value);
  }
  headers['X-B3-TraceId'] = traceId;
  headers.b3 = b3HeaderOf(event, traceId);
  const value = mode === 'binary' ? JSON.stringify(event.data) : String(message.value);
  return { key: String(message.key ?? ''), value, headers };
}

export function createKafkaPublisher(
  config: KafkaPublisherConfig,
  brokers: string,
  logger: Logger,
  count: EventOutcomeCounter,
  breakers: BreakerObserver,
): EventPublisher {
  const timings = kafkaTimings(config.KAFKA_SEND_TIMEOUT_MS);
  const writes = countProduceWrites();
  const kafka = new Kafka({
    ...kafkaConnection(config, brokers),
    connectionTimeout: timings.connectionTimeoutMs,
    requestTimeout: timings.requestTimeoutMs,
    // Connecting and metadata are tried once per attempt; the producer's attempts below are the retries.
    retry: { retries: 0 },
    socketFactory: writes.socketFactory,
    logLevel: logLevel.NOTHING, // failures reach us as rejected sends and are logged once, as dead letters
  });
  const producer: Producer = kafka.producer({
    // Off outside local: a topic created by a typo gets the broker's default partitions and retention.
    allowAutoTopicCreation: config.KAFKA_ALLOW_AUTO_TOPIC_CREATION,
    createPartitioner: Partitioners.DefaultPartitioner,
    // A retry resends the same records (the same event ids); fixed backoff, so the attempts fit the budget.
    retry: {
      retries: timings.retries,
      initialRetryTime: timings.retryBackoffMs,
      maxRetryTime: timings.retryBackoffMs,
      factor: 0,
      multiplier: 1,
    },
  });
  let connected: Promise<void> | undefined;
  const connect = (): Promise<void> =>
    (connected ??= producer.connect().catch((err: unknown) => {
      connected = undefined;
      throw err;
    }));
  // Connect early, without making the first request wait for it; an empty send then loads the topic's
  // metadata (no Produce request is written), which the first event would otherwise wait for.
  connect()
    .then(() => producer.send({ topic: config.KAFKA_TOPIC, messages: [] }))
    .catch(() => undefined);

  const breaker: Breaker<[KafkaRecord[]], void> = createBreaker(
    'kafka',
    async (records: KafkaRecord[]) => {
      const mark = writes.mark();
      try {
        await connect();
        await producer.send({ topic: config.KAFKA_TOPIC, acks: -1, timeout: timings.ackTimeoutMs, messages: records });
      } catch (err) {
        throw new EventSendError(sendOutcome(writes.since(mark), err), err);
      }
    },
    {
      timeoutMs: timings.backstopMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: config.KAFKA_BREAKER_RESET_SECONDS * 1000,
      capacity: 100,
      isTimeout: isRequestTimeout,
    },
    logger,
    breakers,
  );
  const batches = batchedSends((records) => breaker.fire(records));
  return withDeadLetters(
    logger,
    count,
    (event, traceId) => batches.load(toKafkaRecord(event, config.KAFKA_CONTENT_MODE, traceId)),
    async () => {
      breaker.shutdown();
      await producer.disconnect();
    },
  );
}

/** Records bounded per produce request, well under the brokers' default 1 MB request limit. */
const MAX_BATCH_RECORDS = 100;

/**
 * One send per batch; a batch is dispatched at once when nothing is in flight, otherwise as soon as the
 * send in flight settles. A failed send fails every record of its batch (each is dead-lettered).
 */
export function batchedSends(send: (records: KafkaRecord[]) => Promise<void>): DataLoader<KafkaRecord, void> {
  let inFlight: Promise<void> | undefined;
  return new DataLoader<KafkaRecord, void>(
    async (records) => {
      const sending = send([...records]);
      const settled = sending.then(
        () => undefined,
        () => undefined,
      );
      inFlight = settled;
      void settled.then(() => {
        if (inFlight === settled) inFlight = undefined;
      });
      try {
        await sending;
        return records.map(() => undefined);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        return records.map(() => error);
      }
    },
    {
      cache: false,
      maxBatchSize: MAX_BATCH_RECORDS,
      batchScheduleFn: (dispatch) => {
        if (inFlight) void inFlight.then(dispatch);
        else setImmediate(dispatch);
      },
    },
  );
}
