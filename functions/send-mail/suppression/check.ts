/**
 * The suppression check before each send: one query for all of a mail's recipients (to, cc, bcc) against
 * the list the recorder keeps (send-mail's database role may only read it). A suppression for every mail
 * (a hard bounce, a complaint, by hand) stops any mail; an unsubscribe stops only its caller's broadcast
 * mail. The checks of mails that arrive
 * together share that query (a DataLoader batch per turn of the event loop, nothing cached: a suppression
 * added a moment ago counts for the next mail). When the database cannot
 * answer, SUPPRESSION_CHECK decides: `required` refuses the mail (503 suppression.store.unavailable, no
 * mail), `best-effort` sends it anyway, counted and logged. `off` (local only) runs no check.
 */
import DataLoader from 'dataloader';
import {
  createDatabasePool,
  DatabaseUnavailableError,
  type DatabasePool,
  type DatabasePoolConfig,
} from '../../../shared/db';
import { errorFactory } from '../../../shared/errors';
import type { Logger } from '../../../shared/logging';
import { retryAfterSeconds, type BreakerObserver } from '../../../shared/resilience';

export const SUPPRESSION_MODES = ['required', 'best-effort', 'off'] as const;
export type SuppressionMode = (typeof SUPPRESSION_MODES)[number];

export const suppressionErrorStatus = {
  /** SUPPRESSION_CHECK=required and the list could not be read: no mail. */
  'suppression.store.unavailable': 503,
} as const satisfies Record<string, number>;

declare module '../../../shared/errors/app-error' {
  interface ErrorCodeOwners {
    suppression: keyof typeof suppressionErrorStatus;
  }
}

const suppressionError = errorFactory(suppressionErrorStatus);

/** How one check ended: for the metric. */
export type CheckOutcome = 'clear' | 'suppressed' | 'skipped' | 'failed';

export interface SuppressionCheck {
  /**
   * The suppressed ones among `addresses` (each in its one form), with their reason. `broadcastOf`: the
   * caller of a broadcast mail, whose unsubscribes count too; absent for a transactional one.
   */
  suppressed(addresses: readonly string[], broadcastOf?: string): Promise<ReadonlyMap<string, string>>;
  close(): Promise<void>;
}

export interface SuppressionCheckConfig extends DatabasePoolConfig {
  readonly SUPPRESSION_CHECK: SuppressionMode;
}

const NONE: ReadonlyMap<string, string> = new Map();
const NO_ROWS: readonly Row[] = [];

/** One suppression of an address: `caller` set for an unsubscribe from that caller's broadcast stream. */
interface Row {
  readonly address: string;
  readonly reason: string;
  readonly caller: string | null;
}

/** The suppression that stops this mail: one for every mail first, else the broadcast caller's own. */
function reasonFor(rows: readonly Row[], broadcastOf: string | undefined): string | undefined {
  return (
    rows.find((row) => row.caller === null)?.reason ??
    (broadcastOf === undefined ? undefined : rows.find((row) => row.caller === broadcastOf)?.reason)
  );
}

/** Undefined when SUPPRESSION_CHECK is off. */
export function createSuppressionCheck(
  config: SuppressionCheckConfig,
  logger: Logger,
  breakers: BreakerObserver,
  count: (outcome: CheckOutcome) => void = () => undefined,
  pool?: DatabasePool,
): SuppressionCheck | undefined {
  if (config.SUPPRESSION_CHECK === 'off') return undefined;
  const db = pool ?? createDatabasePool(config, { applicationName: 'send-mail', logger, breakers });
  const required = config.SUPPRESSION_CHECK === 'required';
  const loader = new DataLoader<string, readonly Row[]>(
    async (addresses) => {
      const { rows } = await db.query<Row>(
        'SELECT address, reason, caller FROM suppression WHERE address = ANY($1::text[])',
        [[...new Set(addresses)]],
        'suppression-check',
      );
      const byAddress = new Map<string, Row[]>();
      for (const row of rows) {
        const known = byAddress.get(row.address);
        if (known) known.push(row);
        else byAddress.set(row.address, [row]);
      }
      return addresses.map((address) => byAddress.get(address) ?? NO_ROWS);
    },
    // The window: every check started in this turn of the event loop (the requests read in one poll phase).
    { cache: false, maxBatchSize: 1000, batchScheduleFn: (callback) => setImmediate(callback) },
  );
  return {
    async suppressed(addresses, broadcastOf) {
      let reasons: (string | undefined)[];
      try {
        const found = await Promise.all(addresses.map((address) => loader.load(address)));
        reasons = found.map((rows) => reasonFor(rows, broadcastOf));
      } catch (err) {
        count(required ? 'failed' : 'skipped');
        const retryAfterMs = err instanceof DatabaseUnavailableError ? err.retryAfterMs : 1000;
        if (required)
          throw suppressionError('suppression.store.unavailable', {
            headers: { 'Retry-After': retryAfterSeconds(retryAfterMs) },
            cause: err,
          });
        // The mail goes out unchecked: said once per mail, with the cause, never the addresses.
        logger.warn(
          { err: { code: (err as { code?: string }).code, message: (err as Error).message } },
          'suppression check skipped (SUPPRESSION_CHECK=best-effort)',
        );
        return NONE;
      }
      const found = new Map<string, string>();
      addresses.forEach((address, index) => {
        const reason = reasons[index];
        if (reason !== undefined) found.set(address, reason);
      });
      count(found.size > 0 ? 'suppressed' : 'clear');
      return found.size === 0 ? NONE : found;
    },
    close: () => db.close(),
  };
}
