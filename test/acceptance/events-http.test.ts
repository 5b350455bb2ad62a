/**
 * Issue 18: the email.sent CloudEvent over HTTP to K_SINK (EVENT_TRANSPORT=http), received by a real HTTP
 * sink decoding with the cloudevents SDK, as a KafkaSink or Broker would: binary mode, trace headers, the
 * outcome of each failure, the breaker.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { EMAIL_SENT_SCHEMA_FILE } from '../../shared/contracts/email-sent';
import { validRequest } from '../fixtures/send-mail-requests';
import { eventually } from '../support/eventually';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { postJson, type Answer } from '../support/http-client';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';

const PREFIX = 'com.example.mailer';
const SECRET = 'events-http-secret-0123456789abcdefgh';
const DEAD_LETTER = 'email.sent event not published: dead letter';
const committedSchema = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'openapi', 'schemas', EMAIL_SENT_SCHEMA_FILE), 'utf8'),
) as object;
const validateData = addFormats(new Ajv2020({ strict: true })).compile(committedSchema);

let smtp: TestSmtpServer;
let sink: EventReceiver;
let fn: FunctionUnderTest;
let auth: Record<string, string>;

const send = (to: string, headers: Record<string, string> = {}): Promise<Answer> =>
  postJson(`${fn.url}${SEND_MAIL_PATH}`, { ...validRequest, to_address: to }, { ...auth, ...headers });

const deadLetters = (): Record<string, unknown>[] => fn.logs.lines().filter((line) => line.message === DEAD_LETTER);
const messageIdOf = (answer: Answer): string => (answer.body as { messageId: string }).messageId;

beforeAll(async () => {
  smtp = await startSmtpServer();
  sink = await startEventReceiver();
  auth = await bearer({ secret: SECRET });
  fn = await startFunction(createSendMailApp, {
    ENVIRONMENT: 'dev',
    SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    AUTH_HS256_SECRET: SECRET,
    FEATURE_EMAIL_SENT_EVENT: 'true',
    K_SINK: sink.url, // no EVENT_TRANSPORT: K_SINK alone chooses http
    EVENT_HTTP_TIMEOUT_MS: '500',
    EVENT_HTTP_BREAKER_RESET_SECONDS: '1',
    EVENT_TYPE_PREFIX: PREFIX,
    PUBLIC_BASE_URL: 'https://mailer.example.com',
  });
});

afterAll(async () => {
  await fn.stop();
  await sink.stop();
  await smtp.stop();
});

/** Sends until one event is stored: the breaker, opened by an earlier failure, has closed again. */
async function sinkHealthy(): Promise<void> {
  sink.answer(202);
  const before = sink.stored().length;
  await eventually(
    async () => {
      await send('http-healthy@mailinator.com');
      return sink.stored().length;
    },
    (stored) => stored > before,
    { what: 'an event stored (the breaker closed)', timeoutMs: 5000, intervalMs: 200 },
  );
}

beforeEach(async () => {
  smtp.reset();
  await sinkHealthy();
});

describe('when K_SINK is set and the sink answers 202', () => {
  it('then one mail gives one binary-mode CloudEvent whose data validates against the published schema, with its trace headers', async () => {
    const before = sink.stored().length;
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    const answer = await send('http-one@mailinator.com', { traceparent, tracestate: 'vendor=opaque' });
    expect(answer.status).toBe(200);

    const received = (await sink.waitFor(before + 1))[before];
    expect(received?.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'ce-type': `${PREFIX}.email.sent.v1`,
      'ce-source': '/mailer/send-mail',
      'ce-subject': messageIdOf(answer),
      'ce-partitionkey': 'http-one@mailinator.com',
      'content-type': 'application/json',
      traceparent: expect.stringMatching(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/),
      tracestate: 'vendor=opaque',
      'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736',
      // The caller's "not sampled" travels in b3 too.
      b3: expect.stringMatching(/^4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-0$/),
      connection: 'keep-alive',
    });
    expect(received?.headers['ce-traceparent']).toBe(received?.headers.traceparent);
    expect(validateData(JSON.parse(received?.body ?? ''))).toBe(true);
    expect(received?.event).toMatchObject({ subject: messageIdOf(answer), partitionkey: 'http-one@mailinator.com' });
  });

  it('then every 200 of 20 concurrent sends has exactly one event at the sink, and nothing is dead-lettered', async () => {
    const before = sink.stored().length;
    const letters = deadLetters().length;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => send(`http-burst-${n}@mailinator.com`)));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    const stored = (await sink.waitFor(before + 20)).slice(before);
    const subjects = stored.map(({ event }) => event.subject).sort();
    expect(subjects).toEqual(answers.map(messageIdOf).sort());
    expect(new Set(stored.map(({ event }) => event.id)).size).toBe(20);
    expect(deadLetters()).toHaveLength(letters);
  });
});

describe('when the sink fails', () => {
  // One at a time, each after the breaker closed again: each failure is its own POST.
  it.each<{ name: string; mode: 500 | 503 | 'hang'; outcome: string; error: string }>([
    { name: 'a 500', mode: 500, outcome: 'unknown', error: 'SinkAnswerError' },
    { name: 'a 503', mode: 503, outcome: 'unknown', error: 'SinkAnswerError' },
    { name: 'no answer (hang)', mode: 'hang', outcome: 'unknown', error: 'SinkTimeoutError' },
  ])(
    'when it answers $name, then the mail is still 200 and its event is one dead letter, outcome $outcome',
    async ({ mode, outcome, error }) => {
      sink.answer(mode);
      const letters = deadLetters().length;
      const answer = await send(`http-fail-${String(mode)}@mailinator.com`);
      expect(answer.status).toBe(200);

      const letter = deadLetters()[letters];
      expect(deadLetters()).toHaveLength(letters + 1);
      expect(letter?.event).toMatchObject({ outcome, code: 'events.publish.failed' });
      expect(letter?.error).toMatchObject({ type: error });
      expect(letter?.cloudevent).toMatchObject({ subject: messageIdOf(answer), source: '/mailer/send-mail' });
    },
  );

  it('when it is down (connection refused), then the dead letter says failure: it cannot be at the sink', async () => {
    await sink.down();
    try {
      const letters = deadLetters().length;
      expect((await send('http-down@mailinator.com')).status).toBe(200);
      expect(deadLetters()[letters]?.event).toMatchObject({ outcome: 'failure', code: 'events.publish.failed' });
    } finally {
      await sink.up();
    }
  });

  it('when it fails three times in a row, then the event-sink breaker opens (no POST while open), and closes once the sink answers 202 again', async () => {
    sink.answer(503);
    for (let n = 0; n < 3; n += 1) await send(`http-breaker-${n}@mailinator.com`);
    await eventually(
      () => fn.logs.lines().some((line) => line.message === 'circuit breaker event-sink opened'),
      (opened) => opened,
      { what: 'the event-sink breaker opened' },
    );
    const requests = sink.requestCount();
    const letters = deadLetters().length;
    expect((await send('http-breaker-open@mailinator.com')).status).toBe(200);
    expect(sink.requestCount()).toBe(requests);
    expect(deadLetters()[letters]?.event).toMatchObject({ outcome: 'failure' });

    await sinkHealthy();
    expect(fn.logs.lines().some((line) => line.message === 'circuit breaker event-sink closed')).toBe(true);
  });
});
