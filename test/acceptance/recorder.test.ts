/**
 * Issue 29: the recorder, a `cloudEvent` function behind our launcher, writing to a real PostgreSQL (a
 * throwaway Debian cluster, migrated by the migration tool) as its own login role, a member of
 * mailer_recorder only. Events arrive as Knative delivers them: binary-mode CloudEvents over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { createRecorderApp } from '../../functions/recorder/app';
import { recorderSettings } from '../../functions/recorder/settings';
import { loadConfig } from '../../shared/config';
import type { Database } from '../../shared/db';
import { launch, type RunningFunction } from '../../shared/launcher';
import { createLogSink, type LogSink } from '../support/log-sink';
import { startMigratedPostgres, type TestPostgres } from '../support/postgres';

jest.setTimeout(120_000);

const PREFIX = 'com.example.mailer';
const SENT = `${PREFIX}.email.sent.v1`;
const BOUNCED = `${PREFIX}.email.bounced.v1`;
const DELAYED = `${PREFIX}.email.delayed.v1`;
const COMPLAINED = `${PREFIX}.email.complained.v1`;

let postgres: TestPostgres;
let db: Database;
let recorder: RunningFunction;
let logs: LogSink;

beforeAll(async () => {
  // The recorder's own login, with only its group's grants (docs/database.md).
  postgres = await startMigratedPostgres({ recorder_app: 'mailer_recorder' });
  db = await postgres.connect();
  logs = createLogSink();
  const config = {
    ...loadConfig(recorderSettings, {
      ENVIRONMENT: 'local',
      LOG_FORMAT: 'ecs',
      DATABASE_URL: postgres.urlFor('recorder_app'),
      DATABASE_BREAKER_RESET_SECONDS: '1',
    }),
    PORT: 0,
  };
  recorder = await launch(createRecorderApp(config, logs.stream), config, '127.0.0.1');
});

afterAll(async () => {
  await recorder?.shutdown();
  await db?.close();
  await postgres?.stop();
});

interface Answer {
  readonly status: number;
  readonly body: { message?: string; details?: { field: string; code: string }[] } | undefined;
  readonly headers: Headers;
}

async function deliver(event: CloudEvent<unknown>, mode: 'binary' | 'structured' = 'binary'): Promise<Answer> {
  const message = mode === 'binary' ? HTTP.binary(event) : HTTP.structured(event);
  return post(message.headers as Record<string, string>, String(message.body));
}

async function post(headers: Record<string, string>, body: string): Promise<Answer> {
  const response = await fetch(recorder.url, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Answer['body']) : undefined,
    headers: response.headers,
  };
}

function mail(overrides: Record<string, unknown> = {}): { messageId: string; id: string; sent: CloudEvent<unknown> } {
  const id = randomUUID();
  const messageId = `<${id}@bounces.example.org>`;
  const sent = new CloudEvent<unknown>({
    id,
    source: '/mailer/send-mail',
    type: SENT,
    data: {
      messageId,
      toAddress: 'Someone@Example.ORG',
      cc: ['other@example.org'],
      subject: 'hello',
      sentAt: '2026-12-07T10:00:00.000Z',
      caller: '["","sub","campaign-service"]',
      ...overrides,
    },
  });
  return { messageId, id, sent };
}

function feedback(
  type: string,
  of: { messageId: string; id: string },
  data: Record<string, unknown> = {},
  eventId = randomUUID(),
): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    id: eventId,
    source: '/mailer/feedback',
    type,
    data: {
      messageId: of.messageId,
      emailSentId: of.id,
      recipient: 'Someone@EXAMPLE.org',
      classification: 'hard',
      reason: 'user_unknown',
      reportKind: 'dsn',
      reportedAt: '2026-12-07T10:05:00.000Z',
      status: '5.1.1',
      ...data,
    },
  });
}

const timeline = async (messageId: string): Promise<unknown[]> =>
  (
    await db.query(
      'SELECT type, recipient, classification, reason, status, occurred_at FROM mail_event WHERE message_id = $1 ORDER BY occurred_at, type',
      [messageId],
    )
  ).rows;
const mailRow = async (messageId: string): Promise<unknown[]> =>
  (
    await db.query('SELECT message_id, email_sent_id, caller, recipients, sent_at FROM mail WHERE message_id = $1', [
      messageId,
    ])
  ).rows;
const suppression = async (address: string): Promise<unknown[]> =>
  (await db.query('SELECT address, reason, event_id, created_at FROM suppression WHERE address = $1', [address])).rows;

describe('when events are delivered', () => {
  it('when an email.sent arrives, then 204, and the mail (caller, recipients in their one form, sent time) and its event are recorded', async () => {
    const { messageId, id, sent } = mail();

    expect((await deliver(sent)).status).toBe(204);
    expect(await mailRow(messageId)).toEqual([
      {
        message_id: messageId,
        email_sent_id: id,
        caller: '["","sub","campaign-service"]',
        recipients: ['Someone@example.org', 'other@example.org'],
        sent_at: new Date('2026-12-07T10:00:00.000Z'),
      },
    ]);
    expect(await timeline(messageId)).toHaveLength(1);
  });

  it('when an email.sent names its message stream, then the mail is recorded on it; without one, on transactional', async () => {
    const broadcast = mail({ stream: 'broadcast' });
    const plain = mail();

    expect((await deliver(broadcast.sent)).status).toBe(204);
    expect((await deliver(plain.sent)).status).toBe(204);
    const streamOf = async (messageId: string): Promise<unknown> =>
      (await db.query('SELECT stream FROM mail WHERE message_id = $1', [messageId])).rows[0];
    expect(await streamOf(broadcast.messageId)).toEqual({ stream: 'broadcast' });
    expect(await streamOf(plain.messageId)).toEqual({ stream: 'transactional' });
  });

  it('when the same event is delivered twice, then both answers are 204 and it is recorded once', async () => {
    const sentMail = mail();
    const bounce = feedback(BOUNCED, sentMail);

    const answers = [
      await deliver(sentMail.sent),
      await deliver(sentMail.sent),
      await deliver(bounce),
      await deliver(bounce),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204, 204]);
    expect(await timeline(sentMail.messageId)).toHaveLength(2);
    expect(await mailRow(sentMail.messageId)).toHaveLength(1);
  });

  it('when a bounce arrives before its email.sent, then the mail and its timeline come out the same as in order', async () => {
    const inOrder = mail();
    const outOfOrder = mail();
    const delay = {
      classification: 'delayed',
      reason: 'expired',
      status: '4.4.1',
      reportedAt: '2026-12-07T10:02:00.000Z',
    };
    await deliver(inOrder.sent);
    await deliver(feedback(DELAYED, inOrder, delay));
    await deliver(feedback(BOUNCED, inOrder));
    await deliver(feedback(BOUNCED, outOfOrder));
    await deliver(feedback(DELAYED, outOfOrder, delay));
    await deliver(outOfOrder.sent);

    const strip = (rows: unknown[], of: { messageId: string; id: string }): unknown =>
      JSON.parse(JSON.stringify(rows).replaceAll(of.messageId, 'M').replaceAll(of.id, 'ID'));
    expect(strip(await timeline(outOfOrder.messageId), outOfOrder)).toEqual(
      strip(await timeline(inOrder.messageId), inOrder),
    );
    expect(strip(await mailRow(outOfOrder.messageId), outOfOrder)).toEqual(
      strip(await mailRow(inOrder.messageId), inOrder),
    );
    expect((await timeline(inOrder.messageId)).map((row) => (row as { type: string }).type)).toEqual([
      'email.sent',
      'email.delayed',
      'email.bounced',
    ]);
  });

  it('when a structured-mode CloudEvent arrives, then it is recorded as a binary one is', async () => {
    const { messageId, sent } = mail();

    expect((await deliver(sent, 'structured')).status).toBe(204);
    expect(await mailRow(messageId)).toHaveLength(1);
  });
});

describe('when bounces and complaints arrive', () => {
  it('when a hard bounce arrives, then its recipient is suppressed in its one form, with the reason, the event id and the time', async () => {
    const sentMail = mail({ toAddress: 'gone@Bounced.Example' });
    const bounce = feedback(BOUNCED, sentMail, { recipient: 'gone@BOUNCED.example' });

    expect((await deliver(bounce)).status).toBe(204);
    expect(await suppression('gone@bounced.example')).toEqual([
      {
        address: 'gone@bounced.example',
        reason: 'hard_bounce',
        event_id: bounce.id,
        created_at: new Date('2026-12-07T10:05:00.000Z'),
      },
    ]);
  });

  it('when a complaint arrives, then its recipient is suppressed with reason complaint', async () => {
    const sentMail = mail();
    const complaint = feedback(COMPLAINED, sentMail, {
      recipient: 'angry@complaints.example',
      classification: 'complaint',
      reason: 'complaint',
      reportKind: 'arf',
      status: undefined,
      feedbackType: 'abuse',
    });

    expect((await deliver(complaint)).status).toBe(204);
    expect(await suppression('angry@complaints.example')).toMatchObject([
      { reason: 'complaint', event_id: complaint.id },
    ]);
  });

  it('when a soft bounce or a delay arrives, then nobody is suppressed', async () => {
    const sentMail = mail();
    await deliver(
      feedback(BOUNCED, sentMail, {
        recipient: 'full@soft.example',
        classification: 'soft',
        reason: 'mailbox_full',
        status: '4.2.2',
      }),
    );
    await deliver(
      feedback(DELAYED, sentMail, {
        recipient: 'slow@soft.example',
        classification: 'delayed',
        reason: 'expired',
        status: '4.4.1',
      }),
    );

    expect(await suppression('full@soft.example')).toEqual([]);
    expect(await suppression('slow@soft.example')).toEqual([]);
    expect(await timeline(sentMail.messageId)).toHaveLength(2);
  });

  it('when an address is bounced twice, then the first suppression stays and the second event is still on the timeline', async () => {
    const first = mail();
    const second = mail();
    const firstBounce = feedback(BOUNCED, first, { recipient: 'twice@bounced.example' });
    await deliver(firstBounce);
    await deliver(
      feedback(BOUNCED, second, { recipient: 'twice@bounced.example', reportedAt: '2026-12-08T00:00:00.000Z' }),
    );

    expect(await suppression('twice@bounced.example')).toMatchObject([{ event_id: firstBounce.id }]);
    expect(await timeline(second.messageId)).toHaveLength(1);
  });
});

describe('when an event can never be recorded', () => {
  it.each([
    {
      name: 'a body that is no CloudEvent',
      headers: { 'content-type': 'application/json' },
      body: '{"hello":1}',
      code: 'recorder.event.malformed',
    },
    {
      name: 'binary-mode headers with broken JSON',
      headers: {
        'content-type': 'application/json',
        'ce-id': '1',
        'ce-source': '/x',
        'ce-type': SENT,
        'ce-specversion': '1.0',
      },
      body: '{"messageId":',
      code: 'recorder.event.malformed',
    },
  ] as { name: string; headers: Record<string, string>; body: string; code: string }[])(
    'when it is $name, then 400 $code and nothing is written',
    async ({ headers, body, code }) => {
      const before = (await db.query('SELECT count(*)::int AS n FROM mail_event')).rows;
      const answer = await post(headers, body);

      expect({ status: answer.status, code: answer.body?.message }).toEqual({ status: 400, code });
      expect((await db.query('SELECT count(*)::int AS n FROM mail_event')).rows).toEqual(before);
    },
  );

  it('when its type is not one the recorder records, then 400 recorder.event.unsupported', async () => {
    const answer = await deliver(
      new CloudEvent<unknown>({ source: '/x', type: `${PREFIX}.email.opened.v1`, data: {} }),
    );

    expect({ status: answer.status, code: answer.body?.message }).toEqual({
      status: 400,
      code: 'recorder.event.unsupported',
    });
  });

  it.each([
    { name: 'no messageId', data: { messageId: undefined }, field: 'data.messageId' },
    { name: 'a sentAt that is no time', data: { sentAt: 'yesterday' }, field: 'data.sentAt' },
    { name: 'an unknown field', data: { password: 'x' }, field: 'data' },
  ])(
    'when an email.sent has $name, then 400 recorder.event.invalid naming $field, and nothing is written',
    async ({ data, field }) => {
      const { messageId, sent } = mail(data);
      const answer = await deliver(sent);

      expect({ status: answer.status, code: answer.body?.message }).toEqual({
        status: 400,
        code: 'recorder.event.invalid',
      });
      expect(answer.body?.details?.map((detail) => detail.field)).toContain(field);
      expect(await mailRow(messageId)).toEqual([]);
    },
  );

  it('when a bounce says delayed, then 400 recorder.event.invalid: each type has its own classifications', async () => {
    const answer = await deliver(feedback(BOUNCED, mail(), { classification: 'delayed' }));

    expect({ status: answer.status, code: answer.body?.message }).toEqual({
      status: 400,
      code: 'recorder.event.invalid',
    });
  });

  it('when its data holds a NUL character PostgreSQL cannot store, then 400 recorder.event.invalid and nothing is half-written', async () => {
    const { messageId, sent } = mail({ subject: 'a\u0000b' });
    const answer = await deliver(sent);

    expect({ status: answer.status, code: answer.body?.message }).toEqual({
      status: 400,
      code: 'recorder.event.invalid',
    });
    expect(await timeline(messageId)).toEqual([]);
    expect(await mailRow(messageId)).toEqual([]);
  });
});

describe('when the database goes away', () => {
  it('when PostgreSQL is killed mid-run and comes back, then every event is answered 503 or 204, and after redelivery each is recorded exactly once (the ledger)', async () => {
    const mails = Array.from({ length: 20 }, () => mail());
    const events = mails.flatMap((sentMail) => [
      sentMail.sent,
      feedback(BOUNCED, sentMail, { recipient: `gone-${sentMail.id}@ledger.example` }),
    ]);
    const answers = new Map<string, number[]>();
    const answered = (event: CloudEvent<unknown>, status: number): void => {
      answers.set(event.id, [...(answers.get(event.id) ?? []), status]);
    };

    // The first third arrives while the server is up, the rest while it is down.
    for (const event of events.slice(0, 14)) answered(event, (await deliver(event)).status);
    await postgres.down();
    const whileDown = await Promise.all(
      events.slice(14).map(async (event) => ({ event, answer: await deliver(event) })),
    );
    for (const { event, answer } of whileDown) answered(event, answer.status);
    await postgres.up();
    await db.close();
    db = await postgres.connect();

    // Knative redelivers what was not answered 2xx, with backoff, until it is.
    for (let round = 0; round < 30; round++) {
      const pending = events.filter((event) => !(answers.get(event.id) ?? []).includes(204));
      if (pending.length === 0) break;
      for (const event of pending) answered(event, (await deliver(event)).status);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const statuses = new Set([...answers.values()].flat());
    expect([...statuses].sort()).toEqual([204, 503]);
    expect(
      whileDown.every(({ answer }) => answer.status === 503 && answer.body?.message === 'recorder.store.unavailable'),
    ).toBe(true);
    expect(whileDown.every(({ answer }) => /^\d+$/.test(answer.headers.get('retry-after') ?? ''))).toBe(true);
    // The ledger: every event answered 204 in the end, each in the database once, each bounce's suppression there.
    expect(events.filter((event) => !(answers.get(event.id) ?? []).includes(204))).toEqual([]);
    const recorded = await db.query<{ event_id: string; n: number }>(
      'SELECT event_id, count(*)::int AS n FROM mail_event WHERE event_id = ANY($1) GROUP BY event_id',
      [events.map((event) => event.id)],
    );
    expect(recorded.rows).toHaveLength(events.length);
    expect(recorded.rows.every((row) => row.n === 1)).toBe(true);
    const suppressed = await db.query(
      "SELECT count(*)::int AS n FROM suppression WHERE address LIKE 'gone-%@ledger.example'",
    );
    expect(suppressed.rows).toEqual([{ n: mails.length }]);
  });
});
