/**
 * The recorder's writes: one statement per event, so one round trip and one implicit transaction (its
 * data-modifying parts commit together or not at all). The event's row comes first, keyed by its source and
 * id: a redelivered event finds it there, and the parts that follow it write nothing. Each write stands on
 * its own, so the order events arrive in does not matter: the mail's row is written only by its email.sent,
 * the timeline is the events ordered by when they happened, and a suppression is added by the first event
 * that asks for it.
 */
import type { DatabasePool } from '../../shared/db';
import { suppressionReasonOf, type RecordedEvent } from './events';

export interface StoreOutcome {
  /** False for a redelivery: the event was recorded before. */
  readonly recorded: boolean;
  /** The suppression this event added, if any (none when the address was suppressed already). */
  readonly suppressed?: 'hard_bounce' | 'complaint';
}

const EVENT = `event AS (
  INSERT INTO mail_event (source, event_id, message_id, type, recipient, classification, reason, status, occurred_at, data)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (source, event_id) DO NOTHING
  RETURNING event_id)`;

/** Prepared once per connection (by name): the server plans each of them once. */
const STATEMENTS = {
  sent: {
    name: 'recorder-sent',
    text: `WITH ${EVENT},
      mail AS (
        INSERT INTO mail (message_id, email_sent_id, caller, recipients, sent_at, stream)
        SELECT $3, $2, $11, $12, $9, $13 WHERE EXISTS (SELECT 1 FROM event)
        ON CONFLICT (message_id) DO NOTHING)
      SELECT (SELECT count(*) FROM event)::int AS recorded, 0 AS suppressed`,
  },
  suppressing: {
    name: 'recorder-suppressing',
    text: `WITH ${EVENT},
      added AS (
        INSERT INTO suppression (address, reason, event_id, created_at)
        SELECT $11, $12, $2, $9 WHERE EXISTS (SELECT 1 FROM event)
        ON CONFLICT (address, caller, stream) DO NOTHING
        RETURNING address)
      SELECT (SELECT count(*) FROM event)::int AS recorded, (SELECT count(*) FROM added)::int AS suppressed`,
  },
  other: {
    name: 'recorder-event',
    text: `WITH ${EVENT} SELECT (SELECT count(*) FROM event)::int AS recorded, 0 AS suppressed`,
  },
} as const;

export async function storeEvent(db: DatabasePool, event: RecordedEvent): Promise<StoreOutcome> {
  const feedback = event.name === 'email.sent' ? undefined : event;
  const common = [
    event.source,
    event.id,
    event.messageId,
    event.name,
    feedback?.recipient ?? null,
    feedback?.classification ?? null,
    feedback?.reason ?? null,
    feedback?.status ?? null,
    event.occurredAt.toISOString(),
    JSON.stringify(event.data),
  ];
  const reason = suppressionReasonOf(event);
  const [statement, params] =
    event.name === 'email.sent'
      ? [STATEMENTS.sent, [...common, event.caller ?? null, event.recipients, event.stream]]
      : reason !== undefined
        ? [STATEMENTS.suppressing, [...common, feedback?.address, reason]]
        : [STATEMENTS.other, common];
  const { rows } = await db.query<{ recorded: number; suppressed: number }>(statement.text, params, statement.name);
  const row = rows[0];
  if (!row || row.recorded === 0) return { recorded: false };
  return reason !== undefined && row.suppressed > 0 ? { recorded: true, suppressed: reason } : { recorded: true };
}
