/**
 * Issue 29: the retention purge (dist/tools/purge-timeline.js, run by a CronJob) against a real PostgreSQL
 * as a member of mailer_purge: timelines older than TIMELINE_RETENTION_DAYS go, in batches; newer ones and
 * every suppression stay.
 */
import { join } from 'node:path';
import { BATCH } from '../../scripts/purge-timeline';
import type { Database } from '../../shared/db';
import { startMigratedPostgres, type TestPostgres } from '../support/postgres';
import { runToEnd } from '../support/processes';

jest.setTimeout(120_000);

const TOOL = join(__dirname, '..', '..', 'dist', 'tools', 'purge-timeline.js');

let postgres: TestPostgres;
let db: Database;

beforeAll(async () => {
  postgres = await startMigratedPostgres({ purge_app: 'mailer_purge' });
  db = await postgres.connect();
});

afterAll(async () => {
  await db?.close();
  await postgres?.stop();
});

it('when the CronJob runs the tool with a retention of 30 days, then older timelines are deleted in batches, newer ones and all suppressions stay', async () => {
  const oldEvents = 2 * BATCH + 7;
  await db.query(
    `INSERT INTO mail_event (source, event_id, message_id, type, occurred_at, data)
     SELECT '/s', 'old-' || i, '<old@x>', 'email.sent', now() - interval '40 days', '{}' FROM generate_series(1, $1) AS i`,
    [oldEvents],
  );
  await db.query(
    "INSERT INTO mail_event (source, event_id, message_id, type, occurred_at, data) VALUES ('/s', 'new-1', '<new@x>', 'email.sent', now() - interval '1 day', '{}')",
  );
  await db.query(
    "INSERT INTO mail (message_id, sent_at) VALUES ('<old@x>', now() - interval '40 days'), ('<new@x>', now() - interval '1 day')",
  );
  await db.query(
    "INSERT INTO suppression (address, reason, created_at) VALUES ('old@example.org', 'hard_bounce', now() - interval '400 days')",
  );

  const run = await runToEnd([TOOL], {
    ENVIRONMENT: 'production',
    DATABASE_URL: postgres.urlFor('purge_app'),
    TIMELINE_RETENTION_DAYS: '30',
  });

  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(new RegExp(`^purged ${oldEvents} events and 1 mails before \\S+Z\\n$`));
  expect((await db.query('SELECT event_id FROM mail_event')).rows).toEqual([{ event_id: 'new-1' }]);
  expect((await db.query('SELECT message_id FROM mail')).rows).toEqual([{ message_id: '<new@x>' }]);
  expect((await db.query('SELECT address FROM suppression')).rows).toEqual([{ address: 'old@example.org' }]);
});

it('when it runs without DATABASE_URL outside local, then it refuses to start naming it (exit 78)', async () => {
  const run = await runToEnd([TOOL], { ENVIRONMENT: 'production' });

  expect(run.code).toBe(78);
  expect(run.stderr).toContain('DATABASE_URL');
});
