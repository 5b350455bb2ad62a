/**
 * Issue 18: the replay tool as the image runs it (node dist/tools/replay-events.js). Dead letters come from
 * a real outage: the production bundle in http mode while the sink is down. They are replayed into the
 * sink, and in kafka mode onto the mock cluster's topic, with their original ids; a second replay adds no
 * new id; a line that cannot be replayed ends in the leftover file.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { authorization, BUNDLE, FAULT_TIMEOUTS } from '../support/faults/scenario';
import { collectRecords } from '../support/kafka-mock/consumer';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { freePort, runToEnd, startChild } from '../support/processes';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';

jest.setTimeout(60_000);

const TOOL = join(__dirname, '..', '..', 'dist', 'tools', 'replay-events.js');
const DEAD_LETTER = 'email.sent event not published: dead letter';
const MAILS = 5;

let smtp: TestSmtpServer;
let sink: EventReceiver;
let kafka: KafkaMock;
let dir: string;
/** The outage's stdout: ECS lines, five of them dead letters. */
let outageLog: string;
let deadLetterIds: string[];

const baseEnv = (): Record<string, string> => ({
  ENVIRONMENT: 'dev',
  LOG_FORMAT: 'ecs',
  SMTP_URL: smtp.url,
  MAIL_FROM: 'mailer@example.com',
  AUTH_HS256_SECRET: 'fault-suite-secret-0123456789abcdefghij',
  FEATURE_EMAIL_SENT_EVENT: 'true',
  ...FAULT_TIMEOUTS,
});

beforeAll(async () => {
  smtp = await startSmtpServer();
  sink = await startEventReceiver();
  kafka = await startKafkaMock();
  dir = await mkdtemp(join(tmpdir(), 'replay-'));
  const port = await freePort();
  await sink.down();
  const fn = await startChild([BUNDLE], { ...baseEnv(), PORT: String(port), K_SINK: sink.url }, port);
  try {
    const auth = await authorization();
    for (let n = 0; n < MAILS; n += 1) {
      const answer = await fetch(`${fn.url}/api/rest/v1/sendmail`, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ to_address: `replay-${n}@mailinator.com`, subject: 'replay', body: 'hello\n' }),
      });
      expect(answer.status).toBe(200);
    }
  } finally {
    fn.child.kill('SIGTERM');
    await fn.exited;
  }
  await sink.up();
  outageLog = fn.stdout();
  deadLetterIds = outageLog
    .split('\n')
    .filter((line) => line.includes(DEAD_LETTER))
    .map((line) => (JSON.parse(line) as { cloudevent: { id: string } }).cloudevent.id);
});

afterAll(async () => {
  await kafka.stop();
  await sink.stop();
  await smtp.stop();
});

describe('when the sink was down and its dead letters are replayed', () => {
  const unreplayable = JSON.stringify({ message: DEAD_LETTER, cloudevent: { source: '/mailer/send-mail' } });

  it('then every dead-lettered event reaches the sink with its original id, the leftover file holds the one broken line, and a second replay adds no new id', async () => {
    expect(deadLetterIds).toHaveLength(MAILS);
    const input = join(dir, 'http.log');
    await writeFile(input, `${outageLog}not json at all\n${unreplayable}\n`);
    const leftover = join(dir, 'http-leftover.jsonl');
    const env = { ...baseEnv(), K_SINK: sink.url };

    const first = await runToEnd([TOOL, input, `--leftover=${leftover}`], env);

    expect(first.stdout).toMatch(new RegExp(`^replayed ${MAILS}, skipped \\d+, failed 1 \\(transport http\\)`));
    expect(first.code).toBe(1);
    expect(
      sink
        .stored()
        .map(({ event }) => event.id)
        .sort(),
    ).toEqual([...deadLetterIds].sort());
    expect(sink.stored().every(({ event }) => event.source === '/mailer/send-mail')).toBe(true);
    expect(await readFile(leftover, 'utf8')).toBe(`${unreplayable}\n`);

    // Twice: the same ids again, which a consumer deduplicating by source + id sees once.
    const second = await runToEnd([TOOL, input, `--leftover=${leftover}`], env);
    expect(second.stdout).toMatch(new RegExp(`^replayed ${MAILS},`));
    expect(sink.distinctIds().size).toBe(MAILS);
  });

  it('then read from stdin with nothing unreplayable it exits 0, writes no leftover file, and the events keep their time', async () => {
    const before = sink.stored().length;
    const leftover = join(dir, 'none.jsonl');

    const run = await runToEnd([TOOL, `--leftover=${leftover}`], { ...baseEnv(), K_SINK: sink.url }, outageLog);

    expect(run.code).toBe(0);
    await expect(readFile(leftover, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    const replayed = sink.stored().slice(before);
    const original = outageLog
      .split('\n')
      .filter((line) => line.includes(DEAD_LETTER))
      .map((line) => (JSON.parse(line) as { cloudevent: { id: string; time: string } }).cloudevent);
    expect(replayed.map(({ event }) => [event.id, event.time]).sort()).toEqual(
      original.map((event) => [event.id, event.time]).sort(),
    );
  });

  it('then in kafka mode they land on the topic with their original ids', async () => {
    await kafka.createTopic('replayed', 1);
    const topic = await collectRecords(kafka.brokers, 'replayed');
    try {
      const input = join(dir, 'kafka.log');
      await writeFile(input, outageLog);
      const run = await runToEnd([TOOL, input], {
        ...baseEnv(),
        KAFKA_BROKERS: kafka.bootstrap,
        KAFKA_TOPIC: 'replayed',
      });

      expect(run.stdout).toMatch(new RegExp(`^replayed ${MAILS}, skipped \\d+, failed 0 \\(transport kafka\\)`));
      expect(run.code).toBe(0);
      const records = await topic.waitFor(MAILS);
      expect(records.map((record) => record.headers.ce_id).sort()).toEqual([...deadLetterIds].sort());
    } finally {
      await topic.stop();
    }
  });
});
