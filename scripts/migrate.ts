/**
 * `make migrate` and, in the image, `node dist/tools/migrate.js` (a Kubernetes Job per environment, before
 * the Services roll out): applies the versioned migrations (migrations/NNN.do.<what>.sql; in the image
 * dist/migrations/) to DATABASE_URL, or locally to PGlite in PGLITE_DIR, with postgrator. Never run by a
 * function at start. Prints each version applied and the version reached. Exit 0; 1 when a migration fails
 * (postgrator stops there: the versions before it stay applied, the failed one is not recorded); 78 for
 * invalid settings, as every function (EX_CONFIG).
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import Postgrator from 'postgrator';
import { composeSettings, loadProcessConfig } from '../shared/config';
import { databaseSettings, openDatabase, type Database } from '../shared/db';

export const migrateSettings = composeSettings('migrate', [databaseSettings]);

/** The migrations beside the tool: dist/migrations in the image, migrations/ in the repository. */
export function migrationsDir(): string {
  const beside = join(__dirname, '..', 'migrations');
  return existsSync(beside) ? beside : join(__dirname, '..', '..', 'migrations');
}

export interface MigrationResult {
  readonly applied: readonly string[];
  readonly version: number;
}

/** Applies every migration not yet applied, in order (up to `target`, a version like `001`, when given). */
export async function migrate(db: Database, dir = migrationsDir(), target?: string): Promise<MigrationResult> {
  const postgrator = new Postgrator({
    driver: 'pg',
    migrationPattern: join(dir, '*.sql'),
    schemaTable: 'schema_version',
    execQuery: (query) => db.query(query),
    execSqlScript: (script) => db.script(script),
  });
  const applied = await postgrator.migrate(target);
  return { applied: applied.map((migration) => migration.filename), version: await postgrator.getDatabaseVersion() };
}

async function main(): Promise<void> {
  const config = loadProcessConfig(migrateSettings);
  const db = await openDatabase(config);
  try {
    const { applied, version } = await migrate(db);
    for (const file of applied) process.stdout.write(`applied ${basename(file)}\n`);
    process.stdout.write(`${db.kind} at version ${version} (${applied.length} applied)\n`);
  } finally {
    await db.close();
  }
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
