/**
 * One scenario through every statement the functions run (the recorder's writes, send-mail's suppression
 * check, the records API's reads and changes), against a migrated database. Its result is plain JSON with
 * no ids or clock times in it, so PostgreSQL and PGlite can be compared: the SQL must mean the same on both.
 *
 *   tsx test/support/sql-scenario.ts <pglite dir>   (PGlite: a child process, its WASM cannot load in Jest)
 */
import { readEvent } from '../../functions/recorder/events';
import { storeEvent } from '../../functions/recorder/store';
import { add, EVERY_MAIL, list, listQueryOf, lookUp, remove } from '../../functions/records/suppressions';
import { readTimeline } from '../../functions/records/timeline';
import { unsubscribe } from '../../functions/records/unsubscribe';
import { createSuppressionCheck } from '../../functions/send-mail/suppression/check';
import { migrate } from '../../scripts/migrate';
import { createDatabasePool, openDatabase, type DatabasePool, type DatabasePoolConfig } from '../../shared/db';
import { createLogger } from '../../shared/logging';
import { ignoreBreakers } from '../../shared/resilience';
import type { EventPublisher } from '../../shared/events';
import type { Config } from '../../shared/config';

const PREFIX = 'com.example.mailer';
const MESSAGE_ID = '<3b241101-e2bb-4255-8caf-4136c566a962@bounces.example.org>';
export const CALLER = '["","sub","campaign-service"]';

const sent = {
  id: '3b241101-e2bb-4255-8caf-4136c566a962',
  source: '/mailer/send-mail',
  type: `${PREFIX}.email.sent.v1`,
  data: {
    messageId: MESSAGE_ID,
    toAddress: 'Gone@Example.ORG',
    cc: ['cc@example.org'],
    subject: 'hello',
    sentAt: '2026-12-07T10:00:00.000Z',
    caller: CALLER,
  },
};
const feedback = (id: string, type: string, data: Record<string, unknown>) => ({
  id,
  source: '/mailer/feedback',
  type: `${PREFIX}.${type}.v1`,
  data: {
    messageId: MESSAGE_ID,
    emailSentId: sent.id,
    recipient: 'Gone@example.org',
    reportKind: 'dsn',
    reportedAt: '2026-12-07T10:05:00.000Z',
    ...data,
  },
});
const delayed = feedback('d1', 'email.delayed', {
  classification: 'delayed',
  reason: 'expired',
  status: '4.4.1',
  reportedAt: '2026-12-07T10:02:00.000Z',
});
const bounced = feedback('b1', 'email.bounced', { classification: 'hard', reason: 'user_unknown', status: '5.1.1' });
const complained = feedback('c1', 'email.complained', {
  recipient: 'cc@example.org',
  classification: 'complaint',
  reason: 'complaint',
  reportKind: 'arf',
  reportedAt: '2026-12-07T11:00:00.000Z',
});

/** Ids and times the database or the clock made are replaced by their kind, so two runs compare equal. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/"createdAt":"[^"]+"/g, '"createdAt":"<time>"')
      .replace(/"changeEventId":"[^"]+"/g, '"changeEventId":"<id>"')
      .replace(/"eventId":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"eventId":"<uuid>"')
      .replace(/"nextCursor":"[^"]+"/g, '"nextCursor":"<cursor>"'),
  );
}

const noEvents: EventPublisher = {
  publish: () => Promise.resolve('published'),
  hold: () => undefined,
  replay: () => Promise.resolve(),
  stop: () => Promise.resolve(),
} as unknown as EventPublisher;

export async function runSqlScenario(db: DatabasePool): Promise<unknown> {
  const record = async (event: typeof sent | typeof bounced) => storeEvent(db, readEvent(event, PREFIX));
  const trace = { traceId: '0af7651916cd43dd8448eb211c80319c', sampled: true } as Parameters<typeof add>[4];
  const config = { EVENT_TYPE_PREFIX: PREFIX, EVENT_SOURCE: '/mailer/records', PUBLIC_BASE_URL: 'http://localhost' };
  const logger = createLogger({
    service: 'sql-scenario',
    config: { LOG_LEVEL: 'silent', LOG_FORMAT: 'ecs' } as unknown as Config,
    version: 'test',
  });
  const check = createSuppressionCheck(
    { SUPPRESSION_CHECK: 'required' } as Parameters<typeof createSuppressionCheck>[0],
    logger,
    ignoreBreakers,
    undefined,
    db,
  );
  const steps: Record<string, unknown> = {};
  // Out of order, twice each: the bounce before its email.sent.
  steps.bounceFirst = await record(bounced);
  steps.bounceAgain = await record(bounced);
  steps.delayed = await record(delayed);
  steps.sent = await record(sent);
  steps.sentAgain = await record(sent);
  steps.complained = await record(complained);
  steps.timeline = await readTimeline(db, MESSAGE_ID, { caller: CALLER, readsAll: false });
  steps.otherCaller = await readTimeline(db, MESSAGE_ID, { caller: '["","sub","other"]', readsAll: false }).catch(
    (err: { code?: string }) => err.code,
  );
  steps.check = [
    ...((await check?.suppressed(['Gone@example.org', 'cc@example.org', 'fine@example.org'])) ?? []),
  ].sort();
  const ports = { db, events: noEvents };
  steps.added = plain(await add(ports, 'manual@example.org', EVERY_MAIL, CALLER, trace, config));
  steps.addedAgain = plain(await add(ports, 'manual@example.org', EVERY_MAIL, CALLER, trace, config));
  // An unsubscribe: that caller's broadcast mail only, once.
  const target = {
    caller: CALLER,
    stream: 'broadcast',
    recipient: 'reader@example.org',
    messageId: MESSAGE_ID,
  } as const;
  steps.unsubscribed = (await unsubscribe(ports, target, trace, config)).changed;
  steps.unsubscribedAgain = (await unsubscribe(ports, target, trace, config)).changed;
  steps.broadcastCheck = [...((await check?.suppressed(['reader@example.org', 'fine@example.org'], CALLER)) ?? [])];
  steps.otherBroadcastCheck = [...((await check?.suppressed(['reader@example.org'], '["","sub","other"]')) ?? [])];
  steps.transactionalCheck = [...((await check?.suppressed(['reader@example.org'])) ?? [])];
  steps.scoped = plain(await lookUp(db, 'reader@example.org', { stream: 'broadcast', caller: CALLER }));
  steps.timelineAfter = (await readTimeline(db, MESSAGE_ID, { caller: CALLER, readsAll: false })).events.map(
    (event) => ({ type: event.type, recipient: event.recipient, suppression: event.suppression }),
  );
  steps.lookedUp = plain(await lookUp(db, 'Gone@example.org'));
  const firstPage = await list(db, listQueryOf(new URLSearchParams('limit=2')));
  const cursor = firstPage.nextCursor ?? '';
  steps.pages = plain([firstPage, await list(db, listQueryOf(new URLSearchParams({ limit: '2', cursor })))]);
  steps.complaints = plain(await list(db, listQueryOf(new URLSearchParams('reason=complaint'))));
  steps.removed = plain(await remove(ports, 'manual@example.org', EVERY_MAIL, CALLER, trace, config));
  steps.removedAgain = await remove(ports, 'manual@example.org', EVERY_MAIL, CALLER, trace, config).catch(
    (err: { code?: string }) => err.code,
  );
  return steps;
}

/** The pool's settings for a scenario run (small, as a function's). */
export function scenarioPoolConfig(where: { DATABASE_URL?: string; PGLITE_DIR?: string }): DatabasePoolConfig {
  return {
    ENVIRONMENT: 'local',
    PGLITE_DIR: where.PGLITE_DIR ?? '',
    ...(where.DATABASE_URL === undefined ? {} : { DATABASE_URL: where.DATABASE_URL }),
    DATABASE_POOL_MAX: 2,
    DATABASE_IDLE_TIMEOUT_MS: 1000,
    DATABASE_CONNECT_TIMEOUT_MS: 2000,
    DATABASE_STATEMENT_TIMEOUT_MS: 2000,
    DATABASE_BREAKER_RESET_SECONDS: 1,
  };
}

async function main(): Promise<void> {
  const [dir = ''] = process.argv.slice(2);
  const tool = await openDatabase({ ENVIRONMENT: 'local', PGLITE_DIR: dir });
  try {
    await migrate(tool);
  } finally {
    await tool.close();
  }
  const config = scenarioPoolConfig({ PGLITE_DIR: dir });
  const logger = createLogger({
    service: 'sql-scenario',
    config: { LOG_LEVEL: 'silent', LOG_FORMAT: 'ecs' } as unknown as Config,
    version: 'test',
  });
  const db = createDatabasePool(config, { applicationName: 'sql-scenario', logger });
  try {
    process.stdout.write(`${JSON.stringify({ kind: db.kind, steps: await runSqlScenario(db) })}\n`);
  } finally {
    await db.close();
  }
}

if (require.main === module) void main();
