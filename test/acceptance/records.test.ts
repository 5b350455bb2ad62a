/**
 * Issue 29: the records function's API against a real PostgreSQL (a throwaway Debian cluster, migrated by
 * the tool) as its own login role (a member of mailer_records), publishing its email.suppression.changed
 * events over HTTP to a real CloudEvents receiver. Each mail's timeline is its sender's; the suppression
 * list is for its own role, never the send role.
 */
import { randomUUID } from 'node:crypto';
import { createRecordsApp } from '../../functions/records/app';
import { recordsSettings } from '../../functions/records/settings';
import { loadConfig } from '../../shared/config';
import type { Database } from '../../shared/db';
import { DEAD_LETTER_MESSAGE_SUFFIX } from '../../shared/events/dead-letter-line';
import { launch, type RunningFunction } from '../../shared/launcher';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { expectErrorBody, request, type Answer } from '../support/http-client';
import { createLogSink, type LogSink } from '../support/log-sink';
import { startMigratedPostgres, type TestPostgres } from '../support/postgres';
import { bearer } from '../support/tokens';

jest.setTimeout(120_000);

let postgres: TestPostgres;
let db: Database;
let sink: EventReceiver;
let records: RunningFunction;
let logs: LogSink;

const CAMPAIGNS = '["","sub","campaign-service"]';

beforeAll(async () => {
  postgres = await startMigratedPostgres({ records_app: 'mailer_records' });
  db = await postgres.connect();
  sink = await startEventReceiver();
  logs = createLogSink();
  const config = {
    ...loadConfig(recordsSettings, {
      ENVIRONMENT: 'local',
      LOG_FORMAT: 'ecs',
      DATABASE_URL: postgres.urlFor('records_app'),
      DATABASE_BREAKER_RESET_SECONDS: '1',
      DATABASE_CONNECT_TIMEOUT_MS: '500',
      TIMELINE_READ_ALL_ROLE: 'mailer-auditor',
      K_SINK: sink.url,
      EVENT_HTTP_TIMEOUT_MS: '500',
    }),
    PORT: 0,
  };
  records = await launch(createRecordsApp(config, logs.stream), config, '127.0.0.1');
});

afterAll(async () => {
  await records?.shutdown();
  await sink?.stop();
  await db?.close();
  await postgres?.stop();
});

beforeEach(() => {
  sink.answer(202);
  sink.reset();
});

/** One mail as the recorder writes it: its row, its email.sent, and a bounce five minutes later. */
async function recordedMail(caller: string): Promise<string> {
  const id = randomUUID();
  const messageId = `<${id}@bounces.example.org>`;
  await db.query(
    "INSERT INTO mail (message_id, email_sent_id, caller, recipients, sent_at) VALUES ($1, $2, $3, '{gone@example.org}', '2026-12-07T10:00:00Z')",
    [messageId, id, caller],
  );
  await db.query(
    `INSERT INTO mail_event (source, event_id, message_id, type, recipient, classification, reason, status, occurred_at, data) VALUES
      ('/mailer/feedback', $2, $1, 'email.bounced', 'gone@example.org', 'hard', 'user_unknown', '5.1.1', '2026-12-07T10:05:00Z', '{}'),
      ('/mailer/send-mail', $3, $1, 'email.sent', NULL, NULL, NULL, NULL, '2026-12-07T10:00:00Z', '{}')`,
    [messageId, randomUUID(), id],
  );
  return messageId;
}

const get = async (path: string, roles: string[] = ['admin'], subject?: string): Promise<Answer> =>
  request(`${records.url}${path}`, { headers: await bearer({ roles, ...(subject ? { subject } : {}) }) });
const admin = async (method: string, path: string): Promise<Answer> =>
  request(`${records.url}${path}`, { method, headers: await bearer({ roles: ['mailer-admin'] }) });
const emailPath = (messageId: string): string => `/api/rest/v1/emails/${encodeURIComponent(messageId)}`;
const suppressionPath = (address: string): string => `/api/rest/v1/suppressions/${encodeURIComponent(address)}`;

describe('GET /api/rest/v1/emails/{messageId}', () => {
  it('when the caller who sent the mail asks, then 200 with sent, then bounced, with times, recipient, status and reason', async () => {
    const messageId = await recordedMail(CAMPAIGNS);
    const answer = await get(emailPath(messageId));

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      messageId,
      sentAt: '2026-12-07T10:00:00.000Z',
      recipients: ['gone@example.org'],
      stream: 'transactional',
      events: [
        { type: 'email.sent', occurredAt: '2026-12-07T10:00:00.000Z' },
        {
          type: 'email.bounced',
          occurredAt: '2026-12-07T10:05:00.000Z',
          recipient: 'gone@example.org',
          classification: 'hard',
          reason: 'user_unknown',
          status: '5.1.1',
        },
      ],
    });
  });

  it('when the id is given without its angle brackets, then it is the same mail', async () => {
    const messageId = await recordedMail(CAMPAIGNS);
    const answer = await get(emailPath(messageId.slice(1, -1)));

    expect(answer.status).toBe(200);
    expect((answer.body as { messageId: string }).messageId).toBe(messageId);
  });

  it('when another caller with the send role asks, then 404 timeline.notfound, the same answer as for an unknown mail', async () => {
    const messageId = await recordedMail(CAMPAIGNS);
    const other = await get(emailPath(messageId), ['admin'], 'notification-service');
    const unknown = await get(emailPath(`<${randomUUID()}@bounces.example.org>`));

    expect(other.status).toBe(404);
    expectErrorBody(other, 'timeline.notfound');
    expect(unknown.status).toBe(404);
    expectErrorBody(unknown, 'timeline.notfound');
  });

  it("when a caller holding TIMELINE_READ_ALL_ROLE (and not the send role) asks, then it reads any caller's mail", async () => {
    const messageId = await recordedMail('["","sub","someone-else"]');
    const answer = await get(emailPath(messageId), ['mailer-auditor'], 'auditor');

    expect(answer.status).toBe(200);
    expect((answer.body as { events: unknown[] }).events).toHaveLength(2);
  });

  it('when the token holds neither role, then 403 auth.role.missing', async () => {
    const answer = await get(emailPath(await recordedMail(CAMPAIGNS)), ['feedback']);

    expect(answer.status).toBe(403);
    expectErrorBody(answer, 'auth.role.missing');
  });
});

describe('the suppression list', () => {
  it('when the send role asks for it, then 403: suppressions take a role of their own', async () => {
    const answer = await get('/api/rest/v1/suppressions', ['admin']);

    expect(answer.status).toBe(403);
    expectErrorBody(answer, 'auth.role.missing');
  });

  it('when an address is added by hand, then 201 in its one form with reason manual and one email.suppression.changed event; adding it again changes nothing', async () => {
    const first = await admin('PUT', suppressionPath('manual@Example.ORG'));
    const again = await admin('PUT', suppressionPath('manual@example.org'));

    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ address: 'manual@example.org', reason: 'manual' });
    expect(again.status).toBe(200);
    expect(again.body).not.toHaveProperty('changeEventId');
    const stored = await sink.waitFor(1);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.event).toMatchObject({
      id: (first.body as { changeEventId: string }).changeEventId,
      type: 'com.example.mailer.email.suppression.changed.v1',
      source: '/mailer/records',
      partitionkey: 'manual@example.org',
      data: { address: 'manual@example.org', change: 'added', reason: 'manual', changedBy: CAMPAIGNS },
    });
  });

  it('when an address is looked up, then 200 with its reason, 404 suppression.notfound when it is not suppressed, 400 when it is no address', async () => {
    await db.query(
      "INSERT INTO suppression (address, reason, event_id) VALUES ('looked-up@example.org', 'complaint', 'e-1')",
    );

    const found = await admin('GET', suppressionPath('looked-up@EXAMPLE.org'));
    const missing = await admin('GET', suppressionPath('nobody@example.org'));
    const invalid = await admin('GET', suppressionPath('not an address'));

    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ address: 'looked-up@example.org', reason: 'complaint', eventId: 'e-1' });
    expect(missing.status).toBe(404);
    expectErrorBody(missing, 'suppression.notfound');
    expect(invalid.status).toBe(400);
    expectErrorBody(invalid, 'suppression.address.invalid');
  });

  it('when an address is removed, then 200 with the email.suppression.changed event of its old reason, and a second removal is 404', async () => {
    await db.query("INSERT INTO suppression (address, reason) VALUES ('removed@example.org', 'hard_bounce')");

    const removed = await admin('DELETE', suppressionPath('removed@example.org'));
    const again = await admin('DELETE', suppressionPath('removed@example.org'));

    expect(removed.status).toBe(200);
    expect(again.status).toBe(404);
    expectErrorBody(again, 'suppression.notfound');
    const [event] = await sink.waitFor(1);
    expect(event?.event.data).toMatchObject({
      address: 'removed@example.org',
      change: 'removed',
      reason: 'hard_bounce',
    });
    expect(event?.event.id).toBe((removed.body as { changeEventId: string }).changeEventId);
  });

  it('when the list is paged, then every row of the filter comes once, newest first, and the filters hold', async () => {
    const reason = 'complaint';
    const addresses = Array.from({ length: 5 }, (_, i) => `paged-${i}@paging.example`);
    for (const [i, address] of addresses.entries())
      await db.query(
        `INSERT INTO suppression (address, reason, created_at) VALUES ($1, $2, '2030-01-01T00:00:00Z'::timestamptz + $3 * interval '1 microsecond')`,
        [address, reason, i],
      );
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const answer = await admin(
        'GET',
        `/api/rest/v1/suppressions?reason=${reason}&since=2030-01-01T00:00:00Z&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(answer.status).toBe(200);
      const body = answer.body as { items: { address: string; reason: string }[]; nextCursor?: string };
      seen.push(...body.items.map((item) => item.address));
      expect(body.items.every((item) => item.reason === reason)).toBe(true);
      cursor = body.nextCursor;
      if (!cursor) break;
    }

    expect(seen).toEqual([...addresses].reverse());
  });

  it('when the list is asked with wrong parameters, then 400 suppression.query.invalid naming each', async () => {
    const answer = await admin('GET', '/api/rest/v1/suppressions?reason=spam&since=yesterday&limit=500&cursor=nope');

    expect(answer.status).toBe(400);
    expectErrorBody(answer, 'suppression.query.invalid');
    expect((answer.body as { details: { field: string }[] }).details.map((detail) => detail.field)).toEqual([
      'reason',
      'since',
      'limit',
      'cursor',
    ]);
  });

  it('when the event sink is down, then a change still answers 201 and its event is a dead-letter line: the ledger holds', async () => {
    await sink.down();
    try {
      const answer = await admin('PUT', suppressionPath('while-sink-down@example.org'));

      expect(answer.status).toBe(201);
      const id = (answer.body as { changeEventId: string }).changeEventId;
      const deadLetters = logs
        .lines()
        .filter((line) => String(line.message).endsWith(DEAD_LETTER_MESSAGE_SUFFIX))
        .map((line) => (line.cloudevent as { id: string }).id);
      expect(deadLetters).toContain(id);
    } finally {
      await sink.up();
    }
  });

  it('when the database is down, then 503 records.store.unavailable with Retry-After, and nothing is changed or published', async () => {
    await postgres.down();
    try {
      const answer = await admin('PUT', suppressionPath('while-db-down@example.org'));

      expect(answer.status).toBe(503);
      expectErrorBody(answer, 'records.store.unavailable');
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(sink.received).toEqual([]);
    } finally {
      await postgres.up();
      await db.close();
      db = await postgres.connect();
    }
    expect((await db.query("SELECT * FROM suppression WHERE address = 'while-db-down@example.org'")).rows).toEqual([]);
  });
});
