/**
 * Issue 29, first part: the versioned migrations, applied by the migration tool to a real PostgreSQL (a
 * throwaway Debian cluster) and to PGlite (make dev's embedded default) alike, never by a function at
 * start. Each function's group role gets only its grants: send-mail may only read suppressions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrate, type MigrationResult } from '../../scripts/migrate';
import { openDatabase, type Database } from '../../shared/db';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { runToEnd } from '../support/processes';

jest.setTimeout(120_000);

const TOOL = join(__dirname, '..', '..', 'dist', 'tools', 'migrate.js');
const TSX = join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
const COLUMNS =
  "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2";

let postgres: TestPostgres;
let pgliteDir: string;

beforeAll(async () => {
  postgres = await startPostgres();
  pgliteDir = mkdtempSync(join(tmpdir(), 'pglite-'));
});

afterAll(async () => {
  await postgres.stop();
  rmSync(pgliteDir, { recursive: true, force: true });
});

/** A connection to the test cluster (the migration tool's own kind: one client). */
async function withDatabase<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ ENVIRONMENT: 'dev', PGLITE_DIR: '', DATABASE_URL: url });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

it('when the migrations run on an empty PostgreSQL and on an empty PGlite, then both reach the same version with the same schema, and a second run applies nothing', async () => {
  const database = `fresh_${Date.now()}`;
  await withDatabase(postgres.url, (db) => db.query(`CREATE DATABASE ${database}`));

  const onPostgres = await withDatabase(postgres.urlFor('mailer', database), async (db) => ({
    first: await migrate(db),
    second: await migrate(db),
    columns: (await db.query(COLUMNS)).rows,
  }));
  const pglite = await runToEnd([TSX, join(__dirname, '..', 'support', 'pglite-migrate.ts'), pgliteDir, COLUMNS], {});
  expect(pglite).toMatchObject({ code: 0, stderr: '' });
  const onPglite = JSON.parse(pglite.stdout) as {
    kind: string;
    first: MigrationResult;
    second: MigrationResult;
    columns: unknown[];
  };

  expect(onPostgres.first.applied.length).toBeGreaterThan(0);
  expect(onPostgres.second).toEqual({ applied: [], version: onPostgres.first.version });
  expect(onPglite.kind).toBe('pglite');
  expect(onPglite.first.version).toBe(onPostgres.first.version);
  expect(onPglite.second.applied).toEqual([]);
  expect(onPglite.columns).toEqual(onPostgres.columns);
  expect(onPostgres.columns.map((column) => column.table_name)).toEqual(
    expect.arrayContaining(['mail', 'mail_event', 'suppression', 'schema_version']),
  );
});

it("when send-mail's login role is a member of its group, then it may read suppressions and nothing else: writing one is refused (42501)", async () => {
  const database = `grants_${Date.now()}`;
  await withDatabase(postgres.url, async (db) => {
    await db.query(`CREATE DATABASE ${database}`);
    await db.query('CREATE ROLE send_mail_login LOGIN IN ROLE mailer_send_mail').catch(async () => {
      // The group exists only after the first migration in this cluster: create it through the migrations.
      await withDatabase(postgres.urlFor('mailer', database), (fresh) => migrate(fresh));
      await db.query('CREATE ROLE send_mail_login LOGIN IN ROLE mailer_send_mail');
    });
  });
  await withDatabase(postgres.urlFor('mailer', database), (db) => migrate(db));

  const client = new Client({ connectionString: postgres.urlFor('send_mail_login', database) });
  await client.connect();
  try {
    await expect(client.query('SELECT address FROM suppression')).resolves.toMatchObject({ rows: [] });
    await expect(
      client.query("INSERT INTO suppression (address, reason) VALUES ('a@example.org', 'manual')"),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(client.query('SELECT message_id FROM mail')).rejects.toMatchObject({ code: '42501' });
  } finally {
    await client.end();
  }
});

it('when a database at the previous version holds data, then migrating up keeps every row and adds the new roles: records reads timelines and writes suppressions, purge deletes timelines only', async () => {
  const database = `upgrade_${Date.now()}`;
  await withDatabase(postgres.url, (db) => db.query(`CREATE DATABASE ${database}`));
  const url = postgres.urlFor('mailer', database);
  const before = await withDatabase(url, async (db) => {
    const first = await migrate(db, undefined, '001');
    await db.query(
      "INSERT INTO mail (message_id, email_sent_id, caller, recipients, sent_at) VALUES ('<m@x>', 'e1', 'c', '{a@example.org}', now())",
    );
    await db.query(
      "INSERT INTO mail_event (source, event_id, message_id, type, occurred_at, data) VALUES ('/s', 'e1', '<m@x>', 'email.sent', now(), '{}')",
    );
    await db.query("INSERT INTO suppression (address, reason) VALUES ('gone@example.org', 'hard_bounce')");
    return first;
  });
  const after = await withDatabase(url, async (db) => {
    const result = await migrate(db);
    await db.query('CREATE ROLE records_login LOGIN IN ROLE mailer_records').catch(() => undefined);
    await db.query('CREATE ROLE purge_login LOGIN IN ROLE mailer_purge').catch(() => undefined);
    const counts = await db.query(
      'SELECT (SELECT count(*) FROM mail)::int AS mails, (SELECT count(*) FROM mail_event)::int AS events, (SELECT count(*) FROM suppression)::int AS suppressions',
    );
    return { result, counts: counts.rows };
  });

  expect(before.version).toBe(1);
  expect(after.result.applied.map((file) => file.split('/').pop())).toEqual([
    '002.do.records-api.sql',
    '003.do.message-streams.sql',
    '004.do.suppression-scopes.sql',
  ]);
  expect(after.counts).toEqual([{ mails: 1, events: 1, suppressions: 1 }]);
  await withDatabase(postgres.urlFor('records_login', database), async (db) => {
    // A mail recorded before message streams went out on the transactional one.
    await expect(db.query('SELECT message_id, stream FROM mail')).resolves.toMatchObject({
      rows: [{ message_id: '<m@x>', stream: 'transactional' }],
    });
    await expect(
      db.query("INSERT INTO suppression (address, reason) VALUES ('b@example.org', 'manual')"),
    ).resolves.toBeDefined();
    await expect(db.query("DELETE FROM suppression WHERE address = 'b@example.org'")).resolves.toBeDefined();
    await expect(db.query("UPDATE suppression SET reason = 'manual'")).rejects.toMatchObject({ code: '42501' });
    await expect(db.query('DELETE FROM mail_event')).rejects.toMatchObject({ code: '42501' });
  });
  await withDatabase(postgres.urlFor('purge_login', database), async (db) => {
    await expect(
      db.query("DELETE FROM mail_event WHERE occurred_at < now() - interval '1 day'"),
    ).resolves.toBeDefined();
    await expect(db.query('DELETE FROM suppression')).rejects.toMatchObject({ code: '42501' });
  });
});

it('when the image runs node dist/tools/migrate.js against DATABASE_URL, then it prints each migration applied and the version, exit 0; without DATABASE_URL outside local, it refuses to start naming it (exit 78, as every function)', async () => {
  const database = `tool_${Date.now()}`;
  await withDatabase(postgres.url, (db) => db.query(`CREATE DATABASE ${database}`));

  const run = await runToEnd([TOOL], { ENVIRONMENT: 'production', DATABASE_URL: postgres.urlFor('mailer', database) });
  const again = await runToEnd([TOOL], {
    ENVIRONMENT: 'production',
    DATABASE_URL: postgres.urlFor('mailer', database),
  });
  const unset = await runToEnd([TOOL], { ENVIRONMENT: 'production' });

  expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied 001\.do\.mail-timeline\.sql$/m) });
  expect(run.stdout).toMatch(/^postgres at version \d+ \(\d+ applied\)$/m);
  expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/\(0 applied\)/) });
  expect(unset.code).toBe(78);
  expect(unset.stderr).toContain('DATABASE_URL');
});
