/**
 * The one way to PostgreSQL: node-postgres (`pg`: the most used client, plain SQL with parameters, TLS and
 * credentials from the URL, a pool) against DATABASE_URL; locally, without it, PGlite (the same Postgres
 * as WASM, same SQL), loaded only then: it is a development dependency and never in the image.
 */
import { mkdirSync } from 'node:fs';

export interface DatabaseConfig {
  readonly ENVIRONMENT: string;
  readonly DATABASE_URL?: string | undefined;
  readonly PGLITE_DIR: string;
}

export interface Database {
  /** Which server: `postgres` or `pglite`. */
  readonly kind: 'postgres' | 'pglite';
  /** One statement, with $1… parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** A script of several statements, no parameters (a migration). */
  script(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** One connection, for a tool (the migrations): a function's pool comes with its own settings. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.DATABASE_URL !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- pg loads only where a database is used
    const { Client } = require('pg') as typeof import('pg');
    type QueryResultRow = import('pg').QueryResultRow;
    const client = new Client({ connectionString: config.DATABASE_URL, application_name: 'mailer' });
    // A connection the server drops emits here (unhandled, it ends the process); the next query rejects instead.
    client.on('error', () => undefined);
    await client.connect();
    return {
      kind: 'postgres',
      query: async <R>(sql: string, params?: readonly unknown[]) => ({
        rows: (await client.query<R & QueryResultRow>(sql, params ? [...params] : undefined)).rows,
      }),
      script: async (sql) => {
        await client.query(sql);
      },
      close: () => client.end(),
    };
  }
  if (config.ENVIRONMENT !== 'local') throw new TypeError('DATABASE_URL is required outside local');
  const { PGlite } = await import('@electric-sql/pglite');
  mkdirSync(config.PGLITE_DIR, { recursive: true });
  const db = await PGlite.create(config.PGLITE_DIR);
  return {
    kind: 'pglite',
    query: async (sql, params) => ({ rows: (await db.query(sql, params ? [...params] : undefined)).rows as never[] }),
    script: async (sql) => {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}
