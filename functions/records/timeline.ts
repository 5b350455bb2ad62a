/**
 * A mail's timeline: its email.sent, then what came back (delays, bounces, complaints, an unsubscribe), in
 * the order they happened, each with the suppression it put in place and that suppression's scope. Scoped
 * to the caller who sent it: for anyone else the mail does not exist (404), unless the caller holds
 * TIMELINE_READ_ALL_ROLE.
 */
import type { SuppressionReason, SuppressionScope } from '../../shared/contracts/email-suppression';
import type { Queryable } from '../../shared/db';
import { recordsError } from './errors';
import { fromStore } from './store';
import { scopeOfRow } from './suppressions';

export interface TimelineEntry {
  readonly type: string;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly recipient?: string;
  readonly classification?: string;
  readonly reason?: string;
  readonly status?: string;
  /** The suppression this event put in place (a hard bounce, a complaint, an unsubscribe), while it lasts. */
  readonly suppression?: { readonly reason: SuppressionReason; readonly scope: SuppressionScope };
}

export interface Timeline {
  readonly messageId: string;
  /** Absent until the mail's email.sent is recorded (a bounce may arrive first). */
  readonly sentAt?: string;
  readonly recipients?: readonly string[];
  /** With sentAt: the message stream the mail went out on. */
  readonly stream?: 'transactional' | 'broadcast';
  readonly events: readonly TimelineEntry[];
}

export interface Viewer {
  readonly caller: string;
  readonly readsAll: boolean;
}

/** `<id@domain>` as Message-IDs are written; the angle brackets may be left out in the path. */
export function messageIdOf(param: string): string {
  return param.startsWith('<') ? param : `<${param}>`;
}

interface MailRow {
  caller: string | null;
  recipients: string[];
  sent_at: Date | null;
  stream: 'transactional' | 'broadcast';
}

interface EventRow {
  type: string;
  event_id: string;
  occurred_at: Date;
  recipient: string | null;
  classification: string | null;
  reason: string | null;
  status: string | null;
  suppression_reason: SuppressionReason | null;
  caller: string | null;
  stream: 'broadcast' | null;
}

export async function readTimeline(db: Queryable, messageId: string, viewer: Viewer): Promise<Timeline> {
  const { mail, events } = await fromStore(async () => {
    const mails = await db.query<MailRow>(
      'SELECT caller, recipients, sent_at, stream FROM mail WHERE message_id = $1',
      [messageId],
    );
    const mine = mails.rows[0] !== undefined && mails.rows[0].caller === viewer.caller;
    // Another caller's mail, or none: the same 404, before its events are read.
    if (!mine && !viewer.readsAll) return { mail: undefined, events: [] };
    const found = await db.query<EventRow>(
      `SELECT e.type, e.event_id, e.occurred_at, e.recipient, e.classification, e.reason, e.status,
              s.reason AS suppression_reason, s.caller, s.stream
         FROM mail_event e LEFT JOIN suppression s ON s.event_id = e.event_id
        WHERE e.message_id = $1 ORDER BY e.occurred_at, e.type, e.event_id`,
      [messageId],
    );
    return { mail: mails.rows[0], events: found.rows };
  });
  if (mail === undefined && events.length === 0) throw recordsError('timeline.notfound');
  return {
    messageId,
    ...(mail?.sent_at ? { sentAt: mail.sent_at.toISOString(), recipients: mail.recipients, stream: mail.stream } : {}),
    events: events.map((row) => ({
      type: row.type,
      eventId: row.event_id,
      occurredAt: row.occurred_at.toISOString(),
      ...(row.recipient === null ? {} : { recipient: row.recipient }),
      ...(row.classification === null ? {} : { classification: row.classification }),
      ...(row.reason === null ? {} : { reason: row.reason }),
      ...(row.status === null ? {} : { status: row.status }),
      ...(row.suppression_reason === null
        ? {}
        : { suppression: { reason: row.suppression_reason, scope: scopeOfRow(row) } }),
    })),
  };
}
