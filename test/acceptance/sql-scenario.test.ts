/**
 * Issue 29: the SQL of every function (the recorder's writes, send-mail's suppression check, the records
 * API) means the same on a real PostgreSQL (a throwaway Debian cluster) and on PGlite (make dev's embedded
 * default): one scenario runs on both, and both give the same results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../shared/config';
import { createDatabasePool } from '../../shared/db';
import { createLogger } from '../../shared/logging';
import { startMigratedPostgres, type TestPostgres } from '../support/postgres';
import { runToEnd } from '../support/processes';
import { CALLER, runSqlScenario, scenarioPoolConfig } from '../support/sql-scenario';

jest.setTimeout(120_000);

const TSX = join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');

let postgres: TestPostgres;
let pgliteDir: string;

beforeAll(async () => {
  postgres = await startMigratedPostgres();
  pgliteDir = mkdtempSync(join(tmpdir(), 'pglite-scenario-'));
});

afterAll(async () => {
  await postgres?.stop();
  rmSync(pgliteDir, { recursive: true, force: true });
});

it('when the same scenario runs on PostgreSQL and on PGlite, then every statement gives the same result, and the results are right', async () => {
  const logger = createLogger({
    service: 'sql-scenario',
    config: { LOG_LEVEL: 'silent', LOG_FORMAT: 'ecs' } as unknown as Config,
    version: 'test',
  });
  const db = createDatabasePool(scenarioPoolConfig({ DATABASE_URL: postgres.url }), {
    applicationName: 'sql-scenario',
    logger,
  });
  let onPostgres: Record<string, unknown>;
  try {
    onPostgres = (await runSqlScenario(db)) as Record<string, unknown>;
  } finally {
    await db.close();
  }
  const child = await runToEnd([TSX, join(__dirname, '..', 'support', 'sql-scenario.ts'), pgliteDir], {});
  expect(child).toMatchObject({ code: 0, stderr: '' });
  const onPglite = JSON.parse(child.stdout) as { kind: string; steps: unknown };

  expect(onPglite.kind).toBe('pglite');
  expect(onPglite.steps).toEqual(JSON.parse(JSON.stringify(onPostgres)));
  // And what they agree on is right: redeliveries change nothing, the order of arrival does not matter.
  expect(onPostgres).toMatchObject({
    bounceFirst: { recorded: true, suppressed: 'hard_bounce' },
    bounceAgain: { recorded: false },
    sent: { recorded: true },
    sentAgain: { recorded: false },
    complained: { recorded: true, suppressed: 'complaint' },
    otherCaller: 'timeline.notfound',
    check: [
      ['Gone@example.org', 'hard_bounce'],
      ['cc@example.org', 'complaint'],
    ],
    addedAgain: { created: false },
    unsubscribed: true,
    unsubscribedAgain: false,
    broadcastCheck: [['reader@example.org', 'unsubscribe']],
    otherBroadcastCheck: [],
    transactionalCheck: [],
    scoped: { address: 'reader@example.org', reason: 'unsubscribe', scope: { stream: 'broadcast', caller: CALLER } },
    lookedUp: { address: 'Gone@example.org', reason: 'hard_bounce', eventId: 'b1', scope: { stream: 'all' } },
    removedAgain: 'suppression.notfound',
  });
  expect(onPostgres.timelineAfter).toEqual(
    expect.arrayContaining([
      {
        type: 'email.bounced',
        recipient: 'Gone@example.org',
        suppression: { reason: 'hard_bounce', scope: { stream: 'all' } },
      },
      {
        type: 'email.unsubscribed',
        recipient: 'reader@example.org',
        suppression: { reason: 'unsubscribe', scope: { stream: 'broadcast', caller: CALLER } },
      },
    ]),
  );
  expect((onPostgres.timeline as { events: { type: string }[] }).events.map((event) => event.type)).toEqual([
    'email.sent',
    'email.delayed',
    'email.bounced',
    'email.complained',
  ]);
});
