/**
 * The email.sent CloudEvent through a real Kafka-protocol broker (librdkafka's mock cluster), read back
 * by a real kafkajs consumer group and decoded with the cloudevents SDK.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSendMailApp } from '../../functions/send-mail/app';
import { EMAIL_SENT_SCHEMA_FILE } from '../../shared/contracts/email-sent';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { fullRequest, validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { postJson, type Answer } from '../support/http-client';
import {
  collectRecords,
  decodeCloudEvent,
  type ConsumedRecord,
  type RecordCollector,
} from '../support/kafka-mock/consumer';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';
import { eventually } from '../support/eventually';

const PREFIX = 'com.example.mailer';
let smtp: TestSmtpServer;
let kafka: KafkaMock;
let auth: Record<string, string>;
// The committed schema, as consumers read it (make test fails when it drifts from the code).
const committedSchema = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'openapi', 'schemas', EMAIL_SENT_SCHEMA_FILE), 'utf8'),
) as object;
const validateData = addFormats(new Ajv2020({ strict: true })).compile(committedSchema);

function env(topic: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ENVIRONMENT: 'dev',
    SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    AUTH_HS256_SECRET: 'events-test-secret-0123456789abcdefgh',
    FEATURE_EMAIL_SENT_EVENT: 'true',
    KAFKA_BROKERS: kafka.bootstrap,
    KAFKA_TOPIC: topic,
    KAFKA_SEND_TIMEOUT_MS: '1000',
    KAFKA_BREAKER_RESET_SECONDS: '1',
    EVENT_TYPE_PREFIX: PREFIX,
    PUBLIC_BASE_URL: 'https://mailer.example.com',
    ...extra,
  };
}

const send = (
  fn: FunctionUnderTest,
  body: object = validRequest,
  headers: Record<string, string> = {},
): Promise<Answer> => postJson(`${fn.url}${SEND_MAIL_PATH}`, body, { ...auth, ...headers });

beforeAll(async () => {
  smtp = await startSmtpServer();
  kafka = await startKafkaMock();
  auth = await bearer({ secret: 'events-test-secret-0123456789abcdefgh' });
});

afterAll(async () => {
  await kafka.stop();
  await smtp.stop();
});

beforeEach(() => smtp.reset());

describe('when the toggle is on, in binary content mode', () => {
  let fn: FunctionUnderTest;
  let topic: RecordCollector;

  beforeAll(async () => {
    await kafka.createTopic('mail-binary', 1);
    topic = await collectRecords(kafka.brokers, 'mail-binary');
    fn = await startFunction(createSendMailApp, env('mail-binary'));
  });

  afterAll(async () => {
    await fn.stop();
    await topic.stop();
  });

  it('then one mail gives one record exactly as the binding says, carrying the trace', async () => {
    const traceId = 'a3ce929d0e0e4736';
    const answer = await send(fn, validRequest, { 'X-B3-TraceId': traceId });
    expect(answer.status).toBe(200);
    const messageId = (answer.body as { messageId: string }).messageId;

    const [record] = await topic.waitFor(1);

    expect(record?.key).toBe('demo@mailinator.com');
    expect(record?.headers).toEqual({
      ce_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ce_source: '/mailer/send-mail',
      ce_specversion: '1.0',
      ce_type: `${PREFIX}.email.sent.v1`,
      ce_time: expect.any(String),
      ce_subject: messageId,
      ce_dataschema: 'https://mailer.example.com/schemas/email-sent.v1.json',
      ce_partitionkey: 'demo@mailinator.com',
      ce_datacontenttype: 'application/json',
      ce_traceparent: expect.stringMatching(new RegExp(`^00-0000000000000000${traceId}-[0-9a-f]{16}-01$`)),
      'content-type': 'application/json',
      'X-B3-TraceId': traceId,
      b3: expect.stringMatching(new RegExp(`^${traceId}-[0-9a-f]{16}-1$`)),
    });
    const data = JSON.parse(record?.value.toString('utf8') ?? '') as unknown;
    expect(data).toEqual({
      messageId,
      toAddress: 'demo@mailinator.com',
      subject: validRequest.subject,
      sentAt: expect.any(String),
      // Who sent it (issue 29): the mail's timeline is its caller's.
      caller: '["","sub","campaign-service"]',
    });
    expect(validateData(data)).toBe(true);
    const event = decodeCloudEvent(record as ConsumedRecord);
    expect(event).toMatchObject({
      id: record?.headers.ce_id,
      type: `${PREFIX}.email.sent.v1`,
      subject: messageId,
      data,
    });
  });

  it.each<{ name: string; headers: Record<string, string>; traceId: string }>([
    {
      name: 'the single b3 header',
      headers: { b3: '463ac35c9f6413ad48485a3953bb6124-00f067aa0ba902b7-1' },
      traceId: '463ac35c9f6413ad48485a3953bb6124',
    },
    {
      name: 'a W3C traceparent',
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    },
    {
      name: 'a Sleuth 16-hex X-B3-TraceId',
      headers: { 'X-B3-TraceId': 'a3ce929d0e0e4736' },
      traceId: 'a3ce929d0e0e4736',
    },
  ])('then a trace arriving as $name travels HTTP → SMTP → Kafka unchanged', async ({ headers, traceId }) => {
    const before = topic.records.length;
    const answer = await send(fn, { ...validRequest, to_address: `trace-${traceId.length}@mailinator.com` }, headers);

    expect(answer.headers.get('x-b3-traceid')).toBe(traceId);
    expect(smtp.mails[0]?.raw).toMatch(new RegExp(`^X-B3-TraceId: ${traceId}\\r$`, 'im'));
    const record = (await topic.waitFor(before + 1))[before];
    expect(record?.headers['X-B3-TraceId']).toBe(traceId);
    expect(record?.headers.b3).toMatch(new RegExp(`^${traceId}-[0-9a-f]{16}-1$`));
    expect(record?.headers.ce_traceparent).toMatch(new RegExp(`^00-${traceId.padStart(32, '0')}-[0-9a-f]{16}-01$`));
  });

  it('then SMTP failing gives no event at all', async () => {
    const before = topic.records.length;
    smtp.rejectTemporarily.add('later@mailinator.com');

    expect((await send(fn, { ...validRequest, to_address: 'later@mailinator.com' })).status).toBe(502);
    expect((await send(fn, { ...validRequest, to_address: 'after@mailinator.com' })).status).toBe(200);

    const records = await topic.waitFor(before + 1);
    // An absence: no event for the failed mail may follow, so give one a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(records.slice(before).map((record) => record.key)).toEqual(['after@mailinator.com']);
  });

  it('then no token, nor any part of one, is in any record', () => {
    const token = auth.Authorization?.replace('Bearer ', '') ?? '';
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    for (const record of topic.records) {
      const text = JSON.stringify(record.headers) + record.value.toString('utf8');
      for (const part of parts) expect(text).not.toContain(part);
    }
  });

  describe('issue 17: a mail with the optional fields', () => {
    const full = { ...fullRequest, to_address: 'full@mailinator.com' };

    it('then its event validates against the published schema, carries tags and metadata, and counts Bcc without naming it', async () => {
      const before = topic.records.length;
      const answer = await send(fn, full);
      expect(answer.status).toBe(200);

      const record = (await topic.waitFor(before + 1))[before] as ConsumedRecord;
      const data = JSON.parse(record.value.toString('utf8')) as unknown;

      expect(validateData(data)).toBe(true);
      expect(data).toEqual({
        messageId: (answer.body as { messageId: string }).messageId,
        toAddress: full.to_address,
        subject: full.subject,
        sentAt: expect.any(String),
        cc: full.cc,
        bccCount: 2,
        tags: full.tags,
        metadata: full.metadata,
        caller: '["","sub","campaign-service"]',
      });
      expect(decodeCloudEvent(record).data).toEqual(data);
      const text = JSON.stringify(record.headers) + record.value.toString('utf8');
      for (const hidden of full.bcc) expect(text).not.toContain(hidden);
    });

    it('then when the server refused a Cc and a Bcc recipient, the event names the Cc one and counts only the Bcc one it took', async () => {
      const before = topic.records.length;
      smtp.rejectPermanently.add('cc-two@example.org');
      smtp.rejectPermanently.add('hidden-one@example.net');

      const answer = await send(fn, full);
      expect(answer.status).toBe(200);

      const record = (await topic.waitFor(before + 1))[before] as ConsumedRecord;
      const data = JSON.parse(record.value.toString('utf8')) as unknown;
      expect(validateData(data)).toBe(true);
      expect(data).toMatchObject({ cc: ['cc-one@example.com'], bccCount: 1, rejected: ['cc-two@example.org'] });
      expect(record.value.toString('utf8')).not.toContain('hidden-one');
    });

    it('then a sandbox request gives no event at all', async () => {
      const before = topic.records.length;

      const sandbox = await send(fn, { ...full, to_address: 'sandbox@mailinator.com', sandbox: true });
      expect(sandbox.status).toBe(200);
      expect(sandbox.body).toEqual({ messageId: expect.any(String), sandbox: true });
      expect((await send(fn, { ...validRequest, to_address: 'after-sandbox@mailinator.com' })).status).toBe(200);

      const records = await topic.waitFor(before + 1);
      // An absence: no event for the sandbox request may follow, so give one a moment to show up.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(records.slice(before).map((record) => record.key)).toEqual(['after-sandbox@mailinator.com']);
    });
  });
});

describe('when the toggle is on, in structured content mode', () => {
  it('then the record is the whole event with the structured content type', async () => {
    await kafka.createTopic('mail-structured', 1);
    const topic = await collectRecords(kafka.brokers, 'mail-structured');
    const fn = await startFunction(createSendMailApp, env('mail-structured', { KAFKA_CONTENT_MODE: 'structured' }));
    try {
      const answer = await send(fn);
      expect(answer.status).toBe(200);

      const [record] = await topic.waitFor(1);

      expect(record?.key).toBe('demo@mailinator.com');
      expect(record?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
      expect(record?.headers['X-B3-TraceId']).toBe(answer.headers.get('x-b3-traceid'));
      const event = JSON.parse(record?.value.toString('utf8') ?? '') as Record<string, unknown>;
      expect(event).toMatchObject({
        specversion: '1.0',
        type: `${PREFIX}.email.sent.v1`,
        datacontenttype: 'application/json',
        partitionkey: 'demo@mailinator.com',
      });
      expect(validateData(event.data)).toBe(true);
      expect(decodeCloudEvent(record as ConsumedRecord).id).toBe(event.id);
    } finally {
      await fn.stop();
      await topic.stop();
    }
  });
});

describe('when the toggle is off', () => {
  it('then no producer connects to the brokers at all', async () => {
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    const fn = await startFunction(
      createSendMailApp,
      env('unused', { FEATURE_EMAIL_SENT_EVENT: 'false', KAFKA_BROKERS: `127.0.0.1:${port}` }),
    );
    try {
      expect((await send(fn)).status).toBe(200);
      // An absence: no connection may follow the answer, so give one a moment to show up.
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(connections).toBe(0);
    } finally {
      await fn.stop();
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});

describe('when the broker goes down', () => {
  it('then mails still answer 200 with dead letters, the breaker opens, and after the broker is back events flow again', async () => {
    await kafka.createTopic('mail-outage', 1);
    const topic = await collectRecords(kafka.brokers, 'mail-outage');
    const fn = await startFunction(createSendMailApp, env('mail-outage'));
    try {
      expect((await send(fn)).status).toBe(200);
      await topic.waitFor(1);
      await topic.stop();
      await kafka.brokerDown(1);

      for (let i = 0; i < 4; i += 1) {
        const started = Date.now();
        const answer = await send(fn);
        expect(answer.status).toBe(200);
        // The configured deadline (1 s) plus a margin: never kafkajs's tens of seconds.
        expect(Date.now() - started).toBeLessThan(3000);
      }
      const deadLetters = fn.logs
        .lines()
        .filter((line) => line.message === 'email.sent event not published: dead letter');
      expect(deadLetters).toHaveLength(4);
      expect(deadLetters[0]).toMatchObject({
        event: { outcome: 'failure', code: 'events.publish.failed' },
        cloudevent: { type: `${PREFIX}.email.sent.v1`, data: { toAddress: 'demo@mailinator.com' } },
      });
      expect(fn.logs.lines().some((line) => line.message === 'circuit breaker kafka opened')).toBe(true);
      // Once open, the breaker refuses at once instead of waiting on Kafka.
      expect(deadLetters[3]).toMatchObject({ error: { type: 'BreakerRefusedError' } });

      await kafka.brokerUp(1);
      const deadLetterCount = (): number =>
        fn.logs.lines().filter((line) => line.message === 'email.sent event not published: dead letter').length;
      // Once the breaker half-opens, a mail's event is published instead of dead-lettered.
      const published = async (): Promise<boolean> => {
        const before = deadLetterCount();
        expect((await send(fn)).status).toBe(200);
        return deadLetterCount() === before;
      };
      await eventually(published, Boolean, {
        what: 'an event published after the broker is back',
        timeoutMs: 10_000,
        intervalMs: 250,
      });
      expect(fn.logs.lines().some((line) => line.message === 'circuit breaker kafka closed')).toBe(true);
      const after = await collectRecords(kafka.brokers, 'mail-outage');
      try {
        // The record from before the outage and the one after it.
        expect((await after.waitFor(2)).length).toBeGreaterThanOrEqual(2);
      } finally {
        await after.stop();
      }
    } finally {
      await fn.stop();
    }
  }, 60_000);
});

describe('when the toggle is on locally without brokers', () => {
  it('then events go to the JSONL file as structured CloudEvents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'events-'));
    const file = join(dir, 'events.jsonl');
    const fn = await startFunction(createSendMailApp, {
      SMTP_URL: smtp.url,
      FEATURE_EMAIL_SENT_EVENT: 'true',
      EVENT_OUTBOX_FILE: file,
    });
    try {
      const answer = await send(fn, validRequest, await bearer());
      expect(answer.status).toBe(200);

      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({
        specversion: '1.0',
        type: 'com.example.mailer.email.sent.v1',
        data: { subject: validRequest.subject },
      });
    } finally {
      await fn.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('finding 5: Kafka, one event id whatever happens', () => {
  const DEAD_LETTER = 'email.sent event not published: dead letter';

  interface MailLedger {
    readonly messageId: string;
    /** Distinct CloudEvent ids on the topic for this mail (a duplicate record repeats its id). */
    readonly topicIds: Set<string>;
    readonly deadLetters: { id: string; outcome: string }[];
  }

  function ledger(messageIds: string[], records: ConsumedRecord[], logs: Record<string, unknown>[]): MailLedger[] {
    return messageIds.map((messageId) => ({
      messageId,
      topicIds: new Set(
        records.filter((record) => record.headers.ce_subject === messageId).map((record) => record.headers.ce_id ?? ''),
      ),
      deadLetters: logs
        .filter(
          (line) => line.message === DEAD_LETTER && (line.cloudevent as { subject?: string }).subject === messageId,
        )
        .map((line) => ({
          id: (line.cloudevent as { id: string }).id,
          outcome: (line.event as { outcome: string }).outcome,
        })),
    }));
  }

  const sendOne = async (fn: FunctionUnderTest, to: string): Promise<string> => {
    const answer = await send(fn, { ...validRequest, to_address: to });
    expect(answer.status).toBe(200);
    return (answer.body as { messageId: string }).messageId;
  };

  /** After an outage: sends until a mail's event is published (the breaker lets a trial through), returns its message id. */
  async function sendUntilPublished(fn: FunctionUnderTest): Promise<string[]> {
    const sent: string[] = [];
    const deadLetterCount = (): number => fn.logs.lines().filter((line) => line.message === DEAD_LETTER).length;
    const published = async (): Promise<boolean> => {
      const before = deadLetterCount();
      sent.push(await sendOne(fn, `recovery-${sent.length}@mailinator.com`));
      return deadLetterCount() === before;
    };
    await eventually(published, Boolean, { what: 'events to flow again', timeoutMs: 10_000, intervalMs: 250 });
    return sent;
  }

  it('when Kafka is down, then every delivered mail has one dead-letter line with outcome failure and no record on the topic', async () => {
    await kafka.createTopic('mail-finding5-down', 1);
    const warm = await collectRecords(kafka.brokers, 'mail-finding5-down');
    const fn = await startFunction(createSendMailApp, env('mail-finding5-down'));
    const messageIds: string[] = [];
    try {
      messageIds.push(await sendOne(fn, 'before@mailinator.com'));
      await warm.waitFor(1);
      await warm.stop();
      await kafka.brokerDown(1);
      const during: string[] = [];
      for (let i = 0; i < 5; i += 1) during.push(await sendOne(fn, `down-${i}@mailinator.com`));
      await kafka.brokerUp(1);
      messageIds.push(...during, ...(await sendUntilPublished(fn)));

      const topic = await collectRecords(kafka.brokers, 'mail-finding5-down');
      try {
        const last = messageIds[messageIds.length - 1];
        await eventually(() => topic.records.some((record) => record.headers.ce_subject === last), Boolean, {
          what: `the record of ${last}`,
          timeoutMs: 15_000,
          intervalMs: 50,
        });
        const mails = ledger(messageIds, topic.records, fn.logs.lines());

        for (const mail of mails.filter((entry) => during.includes(entry.messageId))) {
          expect(mail).toMatchObject({
            topicIds: new Set(),
            deadLetters: [{ id: expect.any(String), outcome: 'failure' }],
          });
        }
        expect(mails.find((mail) => mail.messageId === last)?.topicIds.size).toBe(1);
      } finally {
        await topic.stop();
      }
    } finally {
      await fn.stop();
    }
  }, 60_000);

  it('when the broker answers the Produce request with an error, then the dead letter says failure and no record is on the topic', async () => {
    await kafka.createTopic('mail-finding5-refused', 1);
    const topic = await collectRecords(kafka.brokers, 'mail-finding5-refused');
    const fn = await startFunction(createSendMailApp, env('mail-finding5-refused'));
    try {
      const before = await sendOne(fn, 'before@mailinator.com');
      await topic.waitFor(1);
      await kafka.pushErrors(0, 1, 87); // Produce → INVALID_RECORD, which kafkajs does not retry
      const refused = await sendOne(fn, 'refused@mailinator.com');
      const after = await sendOne(fn, 'after@mailinator.com');
      await topic.waitFor(2);

      const mails = ledger([before, refused, after], topic.records, fn.logs.lines());
      expect(
        mails.map((mail) => ({
          onTopic: mail.topicIds.size,
          deadLetters: mail.deadLetters.map((letter) => letter.outcome),
        })),
      ).toEqual([
        { onTopic: 1, deadLetters: [] },
        { onTopic: 0, deadLetters: ['failure'] },
        { onTopic: 1, deadLetters: [] },
      ]);
    } finally {
      await fn.stop();
      await topic.stop();
    }
  }, 60_000);

  it('when Kafka is frozen longer than the send timeout, then each mail has exactly one event id, on the topic or dead-lettered as unknown, and never one dead-lettered as failure that is on the topic', async () => {
    await kafka.createTopic('mail-finding5-frozen', 1);
    const warm = await collectRecords(kafka.brokers, 'mail-finding5-frozen');
    const fn = await startFunction(createSendMailApp, env('mail-finding5-frozen'));
    const messageIds: string[] = [];
    try {
      messageIds.push(await sendOne(fn, 'before@mailinator.com'));
      await warm.waitFor(1);
      await warm.stop();

      process.kill(kafka.pid, 'SIGSTOP');
      try {
        // A burst (batched sends), then one at a time until the breaker has opened and refuses.
        messageIds.push(...(await Promise.all([0, 1, 2].map((i) => sendOne(fn, `burst-${i}@mailinator.com`)))));
        for (let i = 0; i < 4; i += 1) messageIds.push(await sendOne(fn, `frozen-${i}@mailinator.com`));
      } finally {
        process.kill(kafka.pid, 'SIGCONT');
      }
      messageIds.push(...(await sendUntilPublished(fn)));

      const topic = await collectRecords(kafka.brokers, 'mail-finding5-frozen');
      try {
        const last = messageIds[messageIds.length - 1];
        await eventually(() => topic.records.some((record) => record.headers.ce_subject === last), Boolean, {
          what: `the record of ${last}`,
          timeoutMs: 15_000,
          intervalMs: 50,
        });
        const mails = ledger(messageIds, topic.records, fn.logs.lines());

        for (const mail of mails) {
          const ids = new Set([...mail.topicIds, ...mail.deadLetters.map((letter) => letter.id)]);
          expect({ messageId: mail.messageId, ids: ids.size }).toEqual({ messageId: mail.messageId, ids: 1 });
          expect(mail.deadLetters.length).toBeLessThanOrEqual(1);
          if (mail.deadLetters[0]?.outcome === 'failure') expect(mail.topicIds.size).toBe(0);
        }
        const outcomes = mails.flatMap((mail) => mail.deadLetters.map((letter) => letter.outcome));
        expect(outcomes).toContain('unknown'); // sends the client gave up on while the broker held them
        expect(outcomes).toContain('failure'); // sends the open breaker refused
        expect(fn.logs.lines().some((line) => line.message === 'circuit breaker kafka opened')).toBe(true);
      } finally {
        await topic.stop();
      }
    } finally {
      await fn.stop();
    }
  }, 90_000);
});
