/**
 * The port to Kafka for email.sent events. One producer per process, connected in the background at
 * start; the client gives up on a send within KAFKA_SEND_TIMEOUT_MS by itself, and a circuit breaker
 * guards it (its timeout only a backstop). A failed event never fails the request (the mail is out, a
 * retry would send it twice): it is written as a dead-letter log line with the whole structured
 * CloudEvent, flushed to stdout at once, so it can be replayed with the same id. The line says whether the
 * event may still land (`unknown`) or cannot (`failure`). Locally without brokers, events go to a JSONL file.
 */
import { Kafka as CloudEventsKafka, type CloudEvent } from 'cloudevents';
import DataLoader from 'dataloader';
import { Kafka, logLevel, Partitioners, type Producer, type SASLOptions } from 'kafkajs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Config } from '../../shared/config';
import { flushLogsSync, type Logger } from '../../shared/logging';
import { ignoreBreakers, type BreakerObserver } from '../../shared/metrics';
import { BreakerTimeoutError, createBreaker, type Breaker } from '../../shared/resilience';
import { buildEmailSentEvent } from './email-sent-event';
import type { EmailSentData, EventConfig } from './email-sent-schema';
import { countProduceWrites, EventSendError, isRequestTimeout, kafkaTimings, sendOutcome, type SendFailureOutcome } from './kafka-send';

export type EventOutcome = 'published' | 'dead_lettered';

export interface EventPublisher {
  /** Builds the CloudEvent for a delivered mail and publishes it, or dead-letters it; never throws. */
  publish(data: EmailSentData, traceId: string): Promise<EventOutcome>;
  /**
   * For a mail whose outcome is unknown (502 email.send.unknown): builds its event and writes it as a held
   * dead letter, never to Kafka. Replay it only once the Message-ID is found at the SMTP server.
   */
  hold(data: EmailSentData, traceId: string): void;
  /** DOWN after a failed send until the next success. */
  status(): 'UP' | 'DOWN';
  stop(): Promise<void>;
}

export interface KafkaRecord {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

type EventsConfig = EventConfig &
  Pick<
  Config,
  | 'FEATURE_EMAIL_SENT_EVENT'
  | 'KAFKA_BROKERS'
  | 'KAFKA_TOPIC'
  | 'KAFKA_CLIENT_ID'
  | 'KAFKA_CONTENT_MODE'
  | 'KAFKA_SSL'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'KAFKA_SEND_TIMEOUT_MS'
  | 'KAFKA_BREAKER_RESET_SECONDS'
  | 'EVENT_OUTBOX_FILE'
>;

/** The seam for the events metric. */
export type EventOutcomeCounter = (outcome: EventOutcome) => void;

/** Undefined when the feature toggle is off: then nothing is created and nothing connects. */
export function createEventPublisher(
  config: EventsConfig,
  logger: Logger,
  count: EventOutcomeCounter = () => undefined,
  breakers: BreakerObserver = ignoreBreakers,
): EventPublisher | undefined {
  if (!config.FEATURE_EMAIL_SENT_EVENT) return undefined;
  return config.KAFKA_BROKERS === undefined
    ? createFilePublisher(config, logger, count)
    : createKafkaPublisher(config, config.KAFKA_BROKERS, logger, count, breakers);
}

/** The record as the CloudEvents Kafka binding says, plus the trace headers Sleuth-style consumers read. */
export function toKafkaRecord(event: CloudEvent<EmailSentData>, mode: 'binary' | 'structured', traceId: string): KafkaRecord {
  const message = mode === 'binary' ? CloudEventsKafka.binary(event) : CloudEventsKafka.structured(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined && value !== null) headers[name] = String(value);
  }
  const spanId = (typeof event.traceparent === 'string' ? event.traceparent.split('-')[2] : undefined) ?? '';
  headers['X-B3-TraceId'] = traceId;
  headers.b3 = `${traceId}-${spanId}-1`;
  const value = mode === 'binary' ? JSON.stringify(event.data) : String(message.value);
  return { key: String(message.key ?? ''), value, headers };
}

function createKafkaPublisher(config: EventsConfig, brokers: string, logger: Logger, count: EventOutcomeCounter, breakers: BreakerObserver): EventPublisher {
  const timings = kafkaTimings(config.KAFKA_SEND_TIMEOUT_MS);
  const writes = countProduceWrites();
  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: brokers.split(',').map((broker) => broker.trim()),
    ssl: config.KAFKA_SSL,
    ...(config.KAFKA_SASL_MECHANISM ? { sasl: sasl(config) } : {}),
    connectionTimeout: timings.connectionTimeoutMs,
    requestTimeout: timings.requestTimeoutMs,
    // Connecting and metadata are tried once per attempt; the producer's attempts below are the retries.
    retry: { retries: 0 },
    socketFactory: writes.socketFactory,
    logLevel: logLevel.NOTHING, // failures reach us as rejected sends and are logged once, below
  });
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    // A retry resends the same records (the same event ids); fixed backoff, so the attempts fit the budget.
    retry: { retries: timings.retries, initialRetryTime: timings.retryBackoffMs, maxRetryTime: timings.retryBackoffMs, factor: 0, multiplier: 1 },
  });
  let connected: Promise<void> | undefined;
  const connect = (): Promise<void> =>
    (connected ??= producer.connect().catch((err: unknown) => {
      connected = undefined;
      throw err;
    }));
  // Connect early, without making the first request wait for it.
  connect().catch(() => undefined);

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
  return withDeadLetters(config, logger, count, (event, traceId) => batches.load(toKafkaRecord(event, config.KAFKA_CONTENT_MODE, traceId)), async () => {
    breaker.shutdown();
    await producer.disconnect();
  });
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

function createFilePublisher(config: EventsConfig, logger: Logger, count: EventOutcomeCounter): EventPublisher {
  const file = config.EVENT_OUTBOX_FILE;
  return withDeadLetters(
    config,
    logger,
    count,
    async (event) => {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${event.toString()}\n`);
    },
    () => Promise.resolve(),
  );
}

function withDeadLetters(
  config: EventConfig,
  logger: Logger,
  count: EventOutcomeCounter,
  send: (event: CloudEvent<EmailSentData>, traceId: string) => Promise<void>,
  stop: () => Promise<void>,
): EventPublisher {
  let healthy = true;
  const deadLetter = (event: CloudEvent<EmailSentData>, outcome: Record<string, string>, fields: object = {}): void => {
    logger.error({ event: { action: 'publish', ...outcome }, ...fields, cloudevent: event.toJSON() }, 'email.sent event not published: dead letter');
    // The line is the event's only record: it must be on stdout even if the process ends right now.
    flushLogsSync(logger);
    count('dead_lettered');
  };
  return {
    async publish(data, traceId) {
      const event = buildEmailSentEvent(data, traceId, config);
      try {
        await send(event, traceId);
        healthy = true;
        count('published');
        return 'published';
      } catch (err) {
        healthy = false;
        const cause = (err instanceof EventSendError ? err.cause : err) as Error;
        deadLetter(event, { outcome: deadLetterOutcome(err), code: 'events.publish.failed' }, { error: { type: cause.name, message: cause.message } });
        return 'dead_lettered';
      }
    },
    hold(data, traceId) {
      deadLetter(buildEmailSentEvent(data, traceId, config), { outcome: 'unknown', code: 'events.publish.held', reason: 'email.send.unknown' });
    },
    status: () => (healthy ? 'UP' : 'DOWN'),
    stop,
  };
}

/** Whether a dead-lettered event may still be on the topic (see kafka-send.ts). */
export function deadLetterOutcome(err: unknown): SendFailureOutcome {
  if (err instanceof EventSendError) return err.outcome;
  // The backstop gave up on a send that goes on: it may still land. The breaker open, or the local file: it cannot.
  return err instanceof BreakerTimeoutError ? 'unknown' : 'failure';
}

function sasl(config: EventsConfig): SASLOptions {
  return {
    mechanism: config.KAFKA_SASL_MECHANISM,
    username: config.KAFKA_SASL_USERNAME ?? '',
    password: config.KAFKA_SASL_PASSWORD ?? '',
  } as SASLOptions;
}
