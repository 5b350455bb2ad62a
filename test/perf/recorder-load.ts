/**
 * P6's two sides, on the same rows: the recorder (its bundle, pinned like every candidate) taking events as
 * Knative delivers them, binary-mode POSTs with a few in flight; and plain batched INSERTs of the rows those
 * events become, from one connection. Both write to the same real PostgreSQL, emptied before each run.
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { Client } from 'pg';

export interface BenchEvent {
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The rows it becomes: the event, the mail (email.sent), the suppression (a hard bounce). */
  readonly event: readonly unknown[];
  readonly mail?: readonly unknown[];
  readonly suppression?: readonly unknown[];
}

const PREFIX = 'com.example.mailer';

/** `count` events: each mail's email.sent and its hard bounce, interleaved. */
export function benchEvents(count: number): BenchEvent[] {
  const events: BenchEvent[] = [];
  for (let i = 0; events.length < count; i++) {
    const id = randomUUID();
    const messageId = `<${id}@bounces.example.org>`;
    const recipient = `r-${id}@example.org`;
    const sentAt = new Date().toISOString();
    const sent = {
      messageId,
      toAddress: recipient,
      subject: 'bench',
      sentAt,
      caller: '["","sub","campaign-service"]',
    };
    const bounceId = randomUUID();
    const bounce = {
      messageId,
      emailSentId: id,
      recipient,
      classification: 'hard',
      reason: 'user_unknown',
      reportKind: 'dsn',
      reportedAt: sentAt,
      status: '5.1.1',
    };
    events.push(
      encoded(new CloudEvent({ id, source: '/mailer/send-mail', type: `${PREFIX}.email.sent.v1`, data: sent }), {
        event: ['/mailer/send-mail', id, messageId, 'email.sent', null, null, null, null, sentAt, JSON.stringify(sent)],
        mail: [messageId, id, sent.caller, [recipient], sentAt],
      }),
      encoded(
        new CloudEvent({ id: bounceId, source: '/mailer/feedback', type: `${PREFIX}.email.bounced.v1`, data: bounce }),
        {
          event: [
            '/mailer/feedback',
            bounceId,
            messageId,
            'email.bounced',
            recipient,
            'hard',
            'user_unknown',
            '5.1.1',
            sentAt,
            JSON.stringify(bounce),
          ],
          suppression: [recipient, 'hard_bounce', bounceId, sentAt],
        },
      ),
    );
  }
  return events.slice(0, count);
}

function encoded(event: CloudEvent<unknown>, rows: Omit<BenchEvent, 'headers' | 'body'>): BenchEvent {
  const message = HTTP.binary(event);
  return { headers: message.headers as Record<string, string>, body: String(message.body), ...rows };
}

/** Delivers every event with `inFlight` at a time; events per second. Throws on any answer but 204. */
export async function deliverAll(url: string, events: readonly BenchEvent[], inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < events.length) {
      const event = events[next++] as BenchEvent;
      const response = await fetch(url, { method: 'POST', headers: event.headers, body: event.body });
      await response.arrayBuffer();
      if (response.status !== 204) throw new Error(`the recorder answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return events.length / ((performance.now() - started) / 1000);
}

const values = (rows: readonly (readonly unknown[])[], width: number): { sql: string; params: unknown[] } => ({
  sql: rows
    .map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`)
    .join(', '),
  params: rows.flat(),
});

/** The same rows in plain multi-row INSERTs, `batch` events per transaction; events per second. */
export async function insertBatched(url: string, events: readonly BenchEvent[], batch: number): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    for (let from = 0; from < events.length; from += batch) {
      const chunk = events.slice(from, from + batch);
      await client.query('BEGIN');
      const event = values(
        chunk.map((e) => e.event),
        10,
      );
      await client.query(
        `INSERT INTO mail_event (source, event_id, message_id, type, recipient, classification, reason, status, occurred_at, data) VALUES ${event.sql}`,
        event.params,
      );
      const mails = chunk.flatMap((e) => (e.mail ? [e.mail] : []));
      if (mails.length > 0) {
        const mail = values(mails, 5);
        await client.query(
          `INSERT INTO mail (message_id, email_sent_id, caller, recipients, sent_at) VALUES ${mail.sql}`,
          mail.params,
        );
      }
      const suppressions = chunk.flatMap((e) => (e.suppression ? [e.suppression] : []));
      if (suppressions.length > 0) {
        const suppression = values(suppressions, 4);
        await client.query(
          `INSERT INTO suppression (address, reason, event_id, created_at) VALUES ${suppression.sql}`,
          suppression.params,
        );
      }
      await client.query('COMMIT');
    }
    return events.length / ((performance.now() - started) / 1000);
  } finally {
    await client.end();
  }
}

/** Empties what both sides write (the suppressions seeded for the send-mail runs stay). */
export async function emptyTimeline(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("DELETE FROM mail_event; DELETE FROM mail; DELETE FROM suppression WHERE address LIKE 'r-%'");
  } finally {
    await client.end();
  }
}
