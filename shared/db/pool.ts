/**
 * A function's connection to PostgreSQL: a small `pg` pool (scale to zero: idle connections close, none is
 * opened at start), statement timeouts on the server and the client, and the named `database` circuit
 * breaker around every query and transaction, like every outgoing call. Locally, without DATABASE_URL, the
 * same interface over PGlite: one instance per directory in the process, so the functions `make dev` hosts
 * together share it (PGlite is one connection and serialises their transactions itself).
 */
import { mkdirSync } from 'node:fs';
import type { Logger } from '../logging';
import { BreakerRefusedError, createBreaker, type Breaker, type BreakerObserver } from '../resilience';
import type { DatabaseConfig } from './database';

export interface DatabasePoolConfig extends DatabaseConfig {
  readonly DATABASE_POOL_MAX: number;
  readonly DATABASE_IDLE_TIMEOUT_MS: number;
  readonly DATABASE_CONNECT_TIMEOUT_MS: number;
  readonly DATABASE_STATEMENT_TIMEOUT_MS: number;
  readonly DATABASE_BREAKER_RESET_SECONDS: number;
}

/** What a statement runs on: the pool, or one transaction's connection. */
export interface Queryable {
  /** `name`: a statement the server prepares once per connection and reuses (ignored by PGlite). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], name?: string): Promise<{ rows: R[] }>;
}

export interface DatabasePool extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The database could not answer: unreachable, too slow, shutting down, or the breaker is open. Nothing was
 * committed by the call that got it; trying again later is the cure.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'ERR_DATABASE_UNAVAILABLE';
  constructor(
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super('database unavailable', options);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * SQLSTATE classes that say the server (or the way to it) is unwell: connection exceptions, insufficient
 * resources, operator intervention (shutdown, a cancelled statement: the timeout), system errors, and
 * transaction rollbacks (serialization, deadlock). Any other SQLSTATE is an answer about the statement.
 */
const UNWELL_CLASSES = new Set(['08', '40', '53', '55', '57', '58', 'XX']);

/** An answer about the statement itself (a constraint, a type): the server is fine, the breaker not concerned. */
export function isStatementError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !UNWELL_CLASSES.has(code.slice(0, 2));
}

export interface PoolOptions {
  /** The connections' application_name: who is connected, in pg_stat_activity. */
  readonly applicationName: string;
  readonly logger: Logger;
  readonly breakers?: BreakerObserver;
}

/** Opens nothing yet: the first query connects (a function that never queries holds no connection). */
export function createDatabasePool(config: DatabasePoolConfig, options: PoolOptions): DatabasePool {
  if (config.DATABASE_URL === undefined && config.ENVIRONMENT !== 'local')
    throw new TypeError('DATABASE_URL is required outside local');
  let opened: Promise<RawPool> | undefined;
  const raw = (): Promise<RawPool> =>
    (opened ??= config.DATABASE_URL === undefined ? openPglite(config) : Promise.resolve(openPg(config, options)));
  // The server cancels a statement at its timeout; the client gives up a little later, and the breaker later still.
  const breaker: Breaker<[() => Promise<unknown>], unknown> = createBreaker(
    'database',
    (call: () => Promise<unknown>) => call(),
    {
      timeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS + config.DATABASE_STATEMENT_TIMEOUT_MS * 2 + 1_000,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: config.DATABASE_BREAKER_RESET_SECONDS * 1000,
      capacity: 1000,
      isPermanent: isStatementError,
    },
    options.logger,
    options.breakers,
  );
  const fire = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return (await breaker.fire(call)) as T;
    } catch (err) {
      if (isStatementError(err)) throw err;
      throw new DatabaseUnavailableError(err instanceof BreakerRefusedError ? err.retryAfterMs : 1000, { cause: err });
    }
  };
  return {
    kind: config.DATABASE_URL === undefined ? 'pglite' : 'postgres',
    query: (sql, params, name) => fire(async () => (await raw()).query(sql, params, name)),
    transaction: (work) => fire(async () => (await raw()).transaction(work)),
    close: async () => {
      breaker.shutdown();
      if (opened) await (await opened).close();
    },
  };
}

interface RawPool {
  readonly kind: 'postgres' | 'pglite';
  query<R>(sql: string, params?: readonly unknown[], name?: string): Promise<{ rows: R[] }>;
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function openPg(config: DatabasePoolConfig, options: PoolOptions): RawPool {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pg loads only where a database is used
  const { Pool } = require('pg') as typeof import('pg');
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    application_name: options.applicationName,
    max: config.DATABASE_POOL_MAX,
    idleTimeoutMillis: config.DATABASE_IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
    query_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS + 500,
  });
  let reported = false;
  // An idle connection the server drops emits here; unhandled, it would end the process.
  pool.on('error', (err) => {
    if (reported) return;
    reported = true;
    options.logger.warn(
      { err: { code: (err as { code?: string }).code, message: err.message } },
      'database connection lost',
    );
  });
  pool.on('connect', () => {
    reported = false;
  });
  const query = async <R>(sql: string, params?: readonly unknown[], name?: string): Promise<{ rows: R[] }> => ({
    rows: (
      await pool.query(
        name === undefined ? sql : { name, text: sql, values: params ? [...params] : [] },
        name === undefined && params ? [...params] : undefined,
      )
    ).rows as R[],
  });
  return {
    kind: 'postgres',
    query,
    async transaction(work) {
      const client = await pool.connect();
      const tx: Queryable = {
        query: async <R>(sql: string, params?: readonly unknown[]) => ({
          rows: (await client.query(sql, params ? [...params] : undefined)).rows as R[],
        }),
      };
      try {
        await client.query('BEGIN');
        const result = await work(tx);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (err) {
        // A connection that failed mid-transaction is not given back to the pool.
        const rolledBack = await client.query('ROLLBACK').then(
          () => true,
          () => false,
        );
        client.release(rolledBack && isStatementError(err) ? undefined : true);
        throw err;
      }
    },
    close: () => pool.end(),
  };
}

/** PGlite instances by directory, shared by the functions one process hosts. */
/** What is used of PGlite (its own types differ between its CommonJS and ES module builds). */
interface PGliteDb {
  readonly waitReady: Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  transaction<T>(
    work: (tx: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
}
const pglites = new Map<string, { users: number; db: Promise<PGliteDb> }>();

async function openPglite(config: DatabaseConfig): Promise<RawPool> {
  const entry =
    pglites.get(config.PGLITE_DIR) ??
    (() => {
      mkdirSync(config.PGLITE_DIR, { recursive: true });
      const opened = {
        users: 0,
        db: import('@electric-sql/pglite').then(({ PGlite }) => new PGlite(config.PGLITE_DIR) as unknown as PGliteDb),
      };
      pglites.set(config.PGLITE_DIR, opened);
      return opened;
    })();
  entry.users += 1;
  const db = await entry.db;
  await db.waitReady;
  return {
    kind: 'pglite',
    query: async <R>(sql: string, params?: readonly unknown[]) => ({
      rows: (await db.query(sql, params ? [...params] : undefined)).rows as R[],
    }),
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          query: async <R>(sql: string, params?: readonly unknown[]) => ({
            rows: (await tx.query(sql, params ? [...params] : undefined)).rows as R[],
          }),
        }),
      ),
    close: async () => {
      entry.users -= 1;
      if (entry.users > 0) return;
      pglites.delete(config.PGLITE_DIR);
      await db.close();
    },
  };
}
