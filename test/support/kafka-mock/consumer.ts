/** A real kafkajs consumer group that collects every record of a topic, for asserting on what was sent. */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Kafka as CloudEventsKafka, type CloudEvent, type CloudEventV1 } from 'cloudevents';

export interface ConsumedRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

export interface RecordCollector {
  readonly records: ConsumedRecord[];
  /** Resolves once at least `count` records arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ConsumedRecord[]>;
  stop(): Promise<void>;
}

export async function collectRecords(brokers: string[], topic: string): Promise<RecordCollector> {
  const kafka = new Kafka({ clientId: `collector-${topic}`, brokers, logLevel: logLevel.NOTHING });
  // The group joins once per file: the mock delays a group's first join by about 3 s.
  const consumer: Consumer = kafka.consumer({
    groupId: `collector-${topic}-${randomUUID()}`,
    sessionTimeout: 6000,
    rebalanceTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      records.push({ key: String(message.key), value: message.value ?? Buffer.alloc(0), headers });
      return Promise.resolve();
    },
  });
  return {
    records,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (records.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} records on ${topic}, got ${records.length}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return records;
    },
    stop: () => consumer.disconnect(),
  };
}

/** A consumed record as the CloudEvent it carries, decoded by the cloudevents SDK's Kafka binding. */
export function decodeCloudEvent(record: ConsumedRecord): CloudEventV1<unknown> {
  const event = CloudEventsKafka.toEvent({
    headers: record.headers,
    key: record.key,
    value: record.value.toString('utf8'),
    body: record.value.toString('utf8'),
  } as never) as CloudEvent<unknown>;
  // The SDK decodes leniently; every event a test reads is also checked against the spec, strictly.
  event.validate();
  return event;
}
