/**
 * `make purge-timeline` and, in the image, `node dist/tools/purge-timeline.js` (a Kubernetes CronJob per
 * environment): deletes each mail's timeline older than TIMELINE_RETENTION_DAYS, in batches so no statement
 * holds its locks long. Suppressions are never purged: they are kept until removed through the records API.
 * Connects as a member of mailer_purge (DELETE on mail and mail_event only). Prints what it deleted. Exit 0;
 * 1 when a statement fails (batches before it stay deleted: the next run goes on); 78 for invalid settings.
 */
import { composeSettings, defineSettings, loadProcessConfig, positiveInt } from '../shared/config';
import { databaseSettings, openDatabase, type Database } from '../shared/db';

const ownSettings = defineSettings({
  owner: 'scripts/purge-timeline',
  specs: {
    TIMELINE_RETENTION_DAYS: positiveInt({
      default: 30,
      desc: "How long each mail's timeline (its row and its events) is kept before the purge CronJob deletes it. Suppressions are never purged.",
    }),
  },
});

export const purgeSettings = composeSettings('purge-timeline', [databaseSettings, ownSettings]);

/** Rows per DELETE: small enough that one statement stays well inside DATABASE_STATEMENT_TIMEOUT_MS. */
export const BATCH = 5000;

export interface PurgeResult {
  readonly events: number;
  readonly mails: number;
}

async function deleteInBatches(db: Database, table: string, olderThan: string, before: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `WITH gone AS (DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${olderThan} < $1 LIMIT ${BATCH}) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [before.toISOString()],
    );
    const deleted = rows[0]?.n ?? 0;
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/** Deletes events that happened, and mails sent (or first recorded), before `before`. */
export async function purgeTimeline(db: Database, before: Date): Promise<PurgeResult> {
  const events = await deleteInBatches(db, 'mail_event', 'occurred_at', before);
  const mails = await deleteInBatches(db, 'mail', 'coalesce(sent_at, recorded_at)', before);
  return { events, mails };
}

async function main(): Promise<void> {
  const config = loadProcessConfig(purgeSettings);
  const before = new Date(Date.now() - config.TIMELINE_RETENTION_DAYS * 86_400_000);
  const db = await openDatabase(config);
  try {
    const { events, mails } = await purgeTimeline(db, before);
    process.stdout.write(`purged ${events} events and ${mails} mails before ${before.toISOString()}\n`);
  } finally {
    await db.close();
  }
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(`purge-timeline: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
