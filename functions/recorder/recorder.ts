/**
 * The use case: one delivered CloudEvent in, its rows committed out. Success means committed (the caller
 * answers 2xx and Knative stops delivering it); a wrong event is refused for good (4xx: the dead-letter
 * sink keeps it); a database that could not commit asks for redelivery (503).
 */
import { DatabaseUnavailableError, isStatementError, type DatabasePool } from '../../shared/db';
import { isAppError } from '../../shared/errors';
import { retryAfterSeconds } from '../../shared/resilience';
import { recorderError } from './errors';
import { eventNameOf, readEvent, type IncomingEvent } from './events';
import type { RecorderMetrics } from './metrics';
import { storeEvent } from './store';

export interface RecorderPorts extends Partial<RecorderMetrics> {
  readonly db: DatabasePool;
}

export interface RecordResult {
  readonly outcome: 'recorded' | 'duplicate';
  readonly suppressed?: 'hard_bounce' | 'complaint';
  /** What the access log says of the event: its type, id and mail, no address. */
  readonly log: Readonly<Record<string, unknown>>;
}

export async function recordEvent(event: IncomingEvent, ports: RecorderPorts, prefix: string): Promise<RecordResult> {
  const type = eventNameOf(event.type, prefix) ?? 'unknown';
  const log = { event: { id: event.id, source: event.source, type: event.type } };
  try {
    const recorded = readEvent(event, prefix);
    const stored = await storeEvent(ports.db, recorded).catch((err: unknown) => {
      throw storeFailure(err);
    });
    const outcome = stored.recorded ? 'recorded' : 'duplicate';
    ports.countEvent?.(type, outcome);
    if (stored.suppressed) ports.countSuppression?.(stored.suppressed);
    return {
      outcome,
      ...(stored.suppressed ? { suppressed: stored.suppressed } : {}),
      log: { ...log, message_id: recorded.messageId, recorder: { outcome, suppressed: stored.suppressed ?? null } },
    };
  } catch (err) {
    ports.countEvent?.(type, isAppError(err) && err.status === 503 ? 'unavailable' : 'rejected');
    throw err;
  }
}

/**
 * The database's refusal of the data itself (a value it cannot hold, a conflict with what is recorded) is
 * the event's fault: redelivering cannot help. Anything else is the database's: redeliver.
 */
function storeFailure(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError)
    return recorderError('recorder.store.unavailable', {
      headers: { 'Retry-After': retryAfterSeconds(err.retryAfterMs) },
      cause: err,
    });
  const sqlState = (err as { code?: string }).code ?? '';
  if (isStatementError(err) && (sqlState.startsWith('22') || sqlState.startsWith('23')))
    return recorderError('recorder.event.invalid', {
      details: [{ field: 'data', code: `database.${sqlState}` }],
      cause: err,
    });
  return err;
}
