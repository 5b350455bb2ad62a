/**
 * The settings of the PostgreSQL database (issue 29), a fragment composed by what reads or writes it: the
 * migration tool now, the recorder and send-mail's suppression check next. Locally, without DATABASE_URL,
 * PGlite (real Postgres in WASM, no server) holds the same schema in PGLITE_DIR.
 */
import { str } from 'envalid';
import { defineSettings, describedValidator, positiveInt, type BudgetShare } from '../config';

const postgresUrl = describedValidator<string>('postgres:// URL', (input) => {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error('expected a postgres:// or postgresql:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new Error('expected a postgres:// or postgresql:// URL');
  return input;
});

export const databaseSpecs = {
  DATABASE_URL: postgresUrl({
    default: undefined,
    // send-mail reads the database only for its suppression check: with the check off it needs none.
    requiredWhen: (env) => env.ENVIRONMENT !== 'local' && env.SUPPRESSION_CHECK !== 'off',
    desc: 'PostgreSQL, postgres://user:password@host:5432/database, TLS with ?sslmode=verify-full (and sslrootcert=…). Each function connects as its own role (docs/database.md). Unset locally: PGlite in PGLITE_DIR.',
    example: 'postgres://mailer_recorder:password@postgres.db.svc.cluster.local:5432/mailer?sslmode=verify-full',
  }),
  PGLITE_DIR: str({
    default: '.dev/pglite',
    desc: 'Local only, without DATABASE_URL: where the embedded PGlite database keeps its files.',
  }),
  DATABASE_POOL_MAX: positiveInt({
    default: 4,
    desc: "Connections a function's pool may hold. Small: a pod scales out instead, and every pod of every revision shares the server's max_connections.",
  }),
  DATABASE_IDLE_TIMEOUT_MS: positiveInt({
    default: 10_000,
    desc: 'An idle pooled connection is closed after this long, so a function scaled to zero holds none.',
  }),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt({
    default: 2_000,
    desc: 'Longest wait for a new connection (or a free one from the pool).',
  }),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt({
    default: 2_000,
    desc: 'Longest a statement may run: the server cancels it (statement_timeout), and the client stops waiting shortly after.',
  }),
  DATABASE_BREAKER_RESET_SECONDS: positiveInt({
    default: 5,
    desc: 'How long the `database` circuit breaker stays open before one trial query.',
  }),
};

export const databaseSettings = defineSettings({
  owner: 'shared/db',
  specs: databaseSpecs,
  secrets: ['DATABASE_URL'],
  requiredWhen: { DATABASE_URL: 'required outside local (for send-mail: unless SUPPRESSION_CHECK is off)' },
});

/** One query's share of a request's time budget: a connection (or a free one from the pool), then the statement. */
export function databaseBudgetShare(
  config: Readonly<{ DATABASE_CONNECT_TIMEOUT_MS: number; DATABASE_STATEMENT_TIMEOUT_MS: number }>,
  note: string,
): BudgetShare {
  return {
    setting: 'DATABASE_CONNECT_TIMEOUT_MS + DATABASE_STATEMENT_TIMEOUT_MS',
    ms: config.DATABASE_CONNECT_TIMEOUT_MS + config.DATABASE_STATEMENT_TIMEOUT_MS,
    note,
  };
}
