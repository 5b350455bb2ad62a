/**
 * Issue 18: the replay tool as the image runs it (node dist/tools/replay-events.js). Dead letters come from
 * a real outage: the production bundle in http mode while the sink is down. They are replayed into the
 * sink, and in kafka mode onto the mock cluster's topic, with their original ids; a second replay adds no
 * new id; a line that cannot be replayed ends in the leftover file.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEEDBACK_PATH } from '../../functions/feedback/identity';
import { createVerp } from '../../shared/verp';
import { dsnReport } from '../fixtures/feedback-reports';
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
  SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
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
    expect(
      (await readFile(leftover, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as object),
    ).toEqual([{ ...(JSON.parse(unreplayable) as object), replay_leftover: { reason: expect.any(String) } }]);

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

describe('issue 26: a replay tool that refuses what it cannot vouch for', () => {
  const attacker = (): string => {
    const line = outageLog.split('\n').find((entry) => entry.includes(DEAD_LETTER)) ?? '';
    const parsed = JSON.parse(line) as { cloudevent: Record<string, unknown> };
    return JSON.stringify({
      ...parsed,
      cloudevent: { ...parsed.cloudevent, id: 'attacker-1', source: '/attacker', type: 'com.evil.pwned.v1' },
    });
  };

  it('finding 7: when a dead letter of another source and type is fed in, then it never reaches the sink, is left over with its reason, and the tool exits 1', async () => {
    const input = join(dir, 'attacker.log');
    const leftover = join(dir, 'attacker-leftover.jsonl');
    await writeFile(input, `${attacker()}\n`);

    const run = await runToEnd([TOOL, input, `--leftover=${leftover}`], { ...baseEnv(), K_SINK: sink.url });

    expect(run.code).toBe(1);
    expect(sink.stored().some(({ event }) => event.id === 'attacker-1')).toBe(false);
    expect(JSON.parse(await readFile(leftover, 'utf8'))).toMatchObject({
      cloudevent: { id: 'attacker-1' },
      replay_leftover: { reason: expect.any(String) },
    });
  });

  it('finding 6: when a dead letter was truncated in transit, then the tool exits 1 and the leftover keeps the damaged text with its reason', async () => {
    const line = outageLog.split('\n').find((entry) => entry.includes(DEAD_LETTER)) ?? '';
    const input = join(dir, 'truncated.log');
    const leftover = join(dir, 'truncated-leftover.jsonl');
    await writeFile(input, `${line.slice(0, Math.floor(line.length / 2))}\n`);

    const run = await runToEnd([TOOL, input, `--leftover=${leftover}`], { ...baseEnv(), K_SINK: sink.url });

    expect(run.code).toBe(1);
    expect(JSON.parse(await readFile(leftover, 'utf8'))).toMatchObject({
      replay_leftover: { reason: expect.any(String) },
    });
  });

  it('finding 8: when the leftover path cannot be written, then the tool stops before sending anything, exit 2', async () => {
    const before = sink.stored().length;
    const input = join(dir, 'unwritable.log');
    await writeFile(input, outageLog);

    const run = await runToEnd([TOOL, input, `--leftover=${join(dir, 'no-such-dir', 'leftover.jsonl')}`], {
      ...baseEnv(),
      K_SINK: sink.url,
    });

    expect(run.code).toBe(2);
    expect(sink.stored().length).toBe(before);
  });

  it('finding 8: when the leftover file exists, then it is appended to, never overwritten', async () => {
    const input = join(dir, 'append.log');
    const leftover = join(dir, 'append-leftover.jsonl');
    await writeFile(input, `${attacker()}\n`);
    await writeFile(leftover, '{"kept":"from an earlier run"}\n');

    await runToEnd([TOOL, input, `--leftover=${leftover}`], { ...baseEnv(), K_SINK: sink.url });

    const lines = (await readFile(leftover, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '')).toEqual({ kept: 'from an earlier run' });
  });

  it('when run with --dry-run, then it sends nothing, writes no leftover, and says what it would send', async () => {
    const before = sink.stored().length;
    const input = join(dir, 'dry.log');
    await writeFile(input, outageLog);

    const run = await runToEnd([TOOL, input, '--dry-run'], { ...baseEnv(), K_SINK: sink.url });

    expect(run.code).toBe(0);
    expect(sink.stored().length).toBe(before);
    for (const id of deadLetterIds) expect(run.stdout).toContain(`would send ${id}`);
    expect(run.stdout).toMatch(new RegExp(`would replay ${MAILS}, skipped \\d+, failed 0`));
  });
});

describe("issue 28: feedback's dead letters", () => {
  const FEEDBACK_BUNDLE = join(__dirname, '..', '..', 'dist', 'feedback', 'main.js');
  const verp = { BOUNCE_DOMAIN: 'bounces.example.com', BOUNCE_VERP_SECRET: 'replay-verp-secret-0123456789abcdefghij' };
  let feedbackLog: string;
  let ids: string[];

  beforeAll(async () => {
    const port = await freePort();
    await sink.down();
    const fn = await startChild(
      [FEEDBACK_BUNDLE],
      { ...baseEnv(), ...verp, PORT: String(port), K_SINK: sink.url },
      port,
    );
    try {
      const to =
        createVerp({ ...verp, BOUNCE_LOCAL_PART: 'bounces' })?.address('0f8fad5b-d9cb-469f-a165-70867728950e') ?? '';
      const answer = await fetch(`${fn.url}${FEEDBACK_PATH}`, {
        method: 'POST',
        headers: { Authorization: await authorization(['feedback']), 'Content-Type': 'message/rfc822' },
        body: dsnReport({ to, recipient: 'replayed-bounce@example.org' }),
      });
      expect(answer.status).toBe(202);
      ids = ((await answer.json()) as { eventIds: string[] }).eventIds;
    } finally {
      fn.child.kill('SIGTERM');
      await fn.exited;
    }
    await sink.up();
    feedbackLog = fn.stdout();
  });

  it("when replayed with feedback's source, then its email.bounced event reaches the sink with the id the 202 named", async () => {
    const run = await runToEnd(
      [TOOL, `--leftover=${join(dir, 'feedback-leftover.jsonl')}`],
      { ...baseEnv(), K_SINK: sink.url, EVENT_SOURCE: '/mailer/feedback' },
      feedbackLog,
    );

    expect(run.code).toBe(0);
    expect(ids).toHaveLength(1);
    expect(
      sink
        .stored()
        .filter(({ event }) => ids.includes(event.id))
        .map(({ event }) => event.type),
    ).toEqual(['com.example.mailer.email.bounced.v1']);
  });

  it("when replayed with send-mail's source, then the tool does not vouch for it: left over, exit 1", async () => {
    const leftover = join(dir, 'feedback-wrong-source.jsonl');
    const run = await runToEnd([TOOL, `--leftover=${leftover}`], { ...baseEnv(), K_SINK: sink.url }, feedbackLog);

    expect(run.code).toBe(1);
    expect(JSON.parse(await readFile(leftover, 'utf8'))).toMatchObject({ cloudevent: { id: ids[0] } });
  });
});
