/**
 * Runs the migrations on a PGlite directory and prints, as one JSON line, what the migrations test compares
 * with PostgreSQL: both runs' results and the schema's columns. A child process of its own: PGlite loads its
 * WASM through dynamic imports, which Jest's module sandbox cannot run.
 *
 *   tsx test/support/pglite-migrate.ts <dir> <columns query>
 */
import { migrate } from '../../scripts/migrate';
import { openDatabase } from '../../shared/db';

async function main(): Promise<void> {
  const [dir = '', columns = ''] = process.argv.slice(2);
  const db = await openDatabase({ ENVIRONMENT: 'local', PGLITE_DIR: dir });
  try {
    const first = await migrate(db);
    const second = await migrate(db);
    process.stdout.write(
      `${JSON.stringify({ kind: db.kind, first, second, columns: (await db.query(columns)).rows })}\n`,
    );
  } finally {
    await db.close();
  }
}

void main();
