/**
 * A real PostgreSQL for the tests: Debian's server as a throwaway cluster (initdb into a temporary directory,
 * pg_ctl on a free loopback port, its socket in the same directory). initdb refuses root: as root (CI), the
 * cluster is made and run by the `postgres` user the package creates. Stopped and removed by `stop`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { migrate } from '../../scripts/migrate';
import { openDatabase, type Database } from '../../shared/db';
import { freePort } from './processes';

const run = promisify(execFile);

export interface TestPostgres {
  /** postgres://mailer@127.0.0.1:<port>/mailer: the superuser the tests connect as (trust auth on loopback). */
  readonly url: string;
  readonly port: number;
  /** A URL for another role and database of this cluster. */
  urlFor(user: string, database?: string): string;
  /** A connection as the cluster's owner, for a test's own reads and writes (close it). */
  connect(): Promise<Database>;
  /** Kills the server at once (connections dropped, new ones refused), keeping its data. */
  down(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** Debian keeps the server's programs in /usr/lib/postgresql/<major>/bin, off PATH. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((entry) => /^\d+$/.test(entry)) : [];
  const major = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (major === undefined)
    throw new Error('PostgreSQL is not installed: apt-get install postgresql (scripts/prerequisites.txt)');
  return join(root, major, 'bin');
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'postgres-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  // As root, every step runs as the postgres user, which must own the directory.
  const as = async (command: string, args: string[]): Promise<void> => {
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]);
    else await run(join(bin, command), args);
  };
  if (asRoot) {
    chmodSync(dir, 0o755);
    await run('chown', ['postgres:postgres', dir]);
  }
  await as('initdb', ['-D', data, '-U', 'mailer', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  const start = (): Promise<void> =>
    as('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
      'start',
    ]);
  await start();
  await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'mailer', 'mailer']);
  const urlFor = (user: string, database = 'mailer'): string => `postgres://${user}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('mailer'),
    port,
    urlFor,
    connect: () => openDatabase({ ENVIRONMENT: 'test', PGLITE_DIR: '', DATABASE_URL: urlFor('mailer') }),
    down: () => as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']),
    up: start,
    stop: async () => {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A throwaway cluster with the migrations applied (by the migration tool's own function) and, for each
 * `{ login: group }`, a login role that is a member of that group role only: a function's own database login
 * with only its grants (docs/database.md), e.g. `{ recorder_app: 'mailer_recorder' }`.
 */
export async function startMigratedPostgres(logins: Readonly<Record<string, string>> = {}): Promise<TestPostgres> {
  const postgres = await startPostgres();
  const db = await postgres.connect();
  try {
    await migrate(db);
    for (const [login, group] of Object.entries(logins)) await db.query(`CREATE ROLE ${login} LOGIN IN ROLE ${group}`);
  } finally {
    await db.close();
  }
  return postgres;
}
