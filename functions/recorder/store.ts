/**
 * The recorder's writes, one transaction per event. The event's row comes first, keyed by its source and
 * id: a redelivered event finds it there and changes nothing more. Each write stands on its own, so the
 * order events arrive in does not matter: the mail's row is written only by its email.sent, the timeline
 * is the events ordered by when they happened, and a suppression is added by the first event that asks.
 */
import type { DatabasePool } from '../../shared/db';
import { suppressionReasonOf, type RecordedEvent } from './events';

export interface StoreOutcome {
  /** False for a redelivery: the event was recorded before. */
  readonly recorded: boolean;
  /** The suppression this event added, if any (none when the address was suppressed already). */
  readonly suppressed?: 'hard_bounce' | 'complaint';
}

export async function storeEvent(db: DatabasePool, event: RecordedEvent): Promise<StoreOutcome> {
  return db.transaction(async (tx) => {
    const feedback = event.name === 'email.sent' ? undefined : event;
    const inserted = await tx.query(
      `INSERT INTO mail_event (source, event_id, message_id, type, recipient, classification, reason, status, occurred_at, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (source, event_id) DO NOTHING
       RETURNING event_id`,
      [
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
      ],
    );
    if (inserted.rows.length === 0) return { recorded: false };
    if (event.name === 'email.sent') {
      await tx.query(
        `INSERT INTO mail (message_id, email_sent_id, caller, recipients, sent_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (message_id) DO NOTHING`,
        [event.messageId, event.id, event.caller ?? null, event.recipients, event.occurredAt.toISOString()],
      );
      return { recorded: true };
    }
    const reason = suppressionReasonOf(event);
    if (reason === undefined) return { recorded: true };
    const added = await tx.query(
      `INSERT INTO suppression (address, reason, event_id, created_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (address) DO NOTHING
       RETURNING address`,
      [event.address, reason, event.id, event.occurredAt.toISOString()],
    );
    return added.rows.length > 0 ? { recorded: true, suppressed: reason } : { recorded: true };
  });
}
