/**
 * Graceful drain of the production bundle on SIGTERM, with real SMTP and Kafka peers: 50 requests in
 * flight all finish with their mail delivered and their event acked, new connections are refused, and
 * the process exits 0 within the deadline.
 */
import { join } from 'node:path';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { validRequest } from '../fixtures/send-mail-requests';
import { postJson } from '../support/http-client';
import { collectRecords } from '../support/kafka-mock/consumer';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { freePort, startChild } from '../support/processes';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';
import { eventually } from '../support/eventually';

const SECRET = 'drain-test-secret-0123456789abcdefghij';
let smtp: TestSmtpServer;
let kafka: KafkaMock;

beforeAll(async () => {
  smtp = await startSmtpServer();
  kafka = await startKafkaMock();
});

afterAll(async () => {
  await kafka.stop();
  await smtp.stop();
});

it('when SIGTERM arrives with 50 requests in flight, then all complete, nothing new is accepted, and it exits 0', async () => {
  await kafka.createTopic('mail-drain', 1);
  const topic = await collectRecords(kafka.brokers, 'mail-drain');
  const port = await freePort();
  const fn = await startChild(
    [join(__dirname, '..', '..', 'dist', 'send-mail', 'main.js')],
    {
      PORT: String(port),
      ENVIRONMENT: 'dev',
      SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
      LOG_FORMAT: 'ecs',
      SMTP_URL: smtp.url,
      SMTP_POOL_SIZE: '10',
      MAIL_FROM: 'mailer@example.com',
      AUTH_HS256_SECRET: SECRET,
      FEATURE_EMAIL_SENT_EVENT: 'true',
      KAFKA_BROKERS: kafka.bootstrap,
      KAFKA_TOPIC: 'mail-drain',
      SHUTDOWN_TIMEOUT_SECONDS: '15',
    },
    port,
  );
  try {
    const auth = await bearer({ secret: SECRET });
    smtp.dataDelayMs = 800;
    const pending = Array.from({ length: 50 }, (_, i) =>
      postJson(`${fn.url}${SEND_MAIL_PATH}`, { ...validRequest, to_address: `drain-${i}@mailinator.com` }, auth),
    );
    // Every request has reached the function once mails are being delivered; each mail then takes 0.8 s.
    await eventually(
      () => smtp.connections(),
      (connections) => connections > 0,
      { what: 'a mail being delivered' },
    );
    await new Promise((resolve) => setTimeout(resolve, 400)); // nothing tells when the 50th request is in: a margin
    const signalled = Date.now();

    fn.child.kill('SIGTERM');
    const refused = await eventually(
      () =>
        fetch(`${fn.url}/livez`).then(
          () => false,
          () => true,
        ),
      Boolean,
      { what: 'new connections refused after SIGTERM', timeoutMs: 2000 },
    );

    const answers = await Promise.all(pending);
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(refused).toBe(true);
    expect(await fn.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(15_000);
    expect(smtp.mails).toHaveLength(50);
    await topic.waitFor(50);
    expect(new Set(topic.records.map((record) => record.key)).size).toBe(50);
    const lines = fn
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.message === 'email.sent event not published: dead letter')).toEqual([]);
    expect(lines.filter((line) => line.message === 'unhandled rejection')).toEqual([]);
    expect(lines.some((line) => line.message === 'draining')).toBe(true);
    expect(fn.stderr()).toBe('');
  } finally {
    fn.child.kill('SIGKILL');
    await topic.stop();
  }
}, 60_000);
