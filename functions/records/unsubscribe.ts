/**
 * One-click unsubscribe (RFC 8058): the one route without a JWT. The token in the path (shared/unsubscribe)
 * is its authentication: it names the recipient, the caller whose broadcast stream it leaves, and the mail.
 * A POST with the form body `List-Unsubscribe=One-Click` suppresses the recipient for that caller's broadcast
 * stream and writes the unsubscribe into the mail's timeline in one statement, then emits
 * email.unsubscribed; a repeated POST changes nothing. A GET only shows a page with the button: link
 * scanners fetch with GET.
 */
import { randomUUID } from 'node:crypto';
import {
  UNSUBSCRIBED_SCHEMA_FILE,
  unsubscribedEventType,
  type UnsubscribedData,
} from '../../shared/contracts/email-suppression';
import type { DatabasePool } from '../../shared/db';
import { publicBaseUrl, type EventPublisher, type OutgoingEvent } from '../../shared/events';
import { maskAddress } from '../../shared/logging';
import { traceparentFor, type TraceContext } from '../../shared/tracing';
import type { UnsubscribeTarget, UnsubscribeTokens } from '../../shared/unsubscribe';
import { recordsError } from './errors';
import { fromStore } from './store';
import type { SuppressionEventConfig } from './suppressions';

export interface UnsubscribePorts {
  readonly db: DatabasePool;
  readonly events: EventPublisher;
  /** Absent without UNSUBSCRIBE_SECRET: no token opens. */
  readonly tokens?: UnsubscribeTokens;
}

/** The token's target; 404 unsubscribe.notfound for a token that is not ours, altered or forged. */
export async function targetOf(tokens: UnsubscribeTokens | undefined, token: string): Promise<UnsubscribeTarget> {
  const target = await tokens?.open(token);
  if (!target) throw recordsError('unsubscribe.notfound');
  return target;
}

const ONE_CLICK = { name: 'List-Unsubscribe', value: 'One-Click' } as const;

/**
 * RFC 8058's body: `List-Unsubscribe=One-Click` as application/x-www-form-urlencoded or multipart/form-data
 * (the two the RFC names). Anything else is 400 unsubscribe.body.invalid: a POST without it is no one-click.
 */
export async function checkOneClick(contentType: string | undefined, body: Buffer): Promise<void> {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  let value: unknown;
  if (media === 'application/x-www-form-urlencoded')
    value = new URLSearchParams(body.toString('utf8')).get(ONE_CLICK.name);
  else if (media === 'multipart/form-data') {
    // The platform's own form parser (undici): a multipart body that does not parse is no one-click.
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType ?? '' } })
      .formData()
      .catch(() => undefined);
    value = form?.get(ONE_CLICK.name);
  }
  if (value !== ONE_CLICK.value)
    throw recordsError('unsubscribe.body.invalid', {
      details: [
        { field: ONE_CLICK.name, code: value === undefined || value === null ? 'form.required' : 'form.value' },
      ],
    });
}

export interface Unsubscribed {
  /** False when the recipient had left that stream already: nothing written, no event. */
  readonly changed: boolean;
  readonly eventId?: string;
}

/** The suppression, its timeline line and its event: once per (recipient, caller, broadcast). */
export async function unsubscribe(
  ports: UnsubscribePorts,
  target: UnsubscribeTarget,
  trace: TraceContext,
  config: SuppressionEventConfig,
): Promise<Unsubscribed> {
  const id = randomUUID();
  const data: UnsubscribedData = {
    messageId: target.messageId,
    recipient: target.recipient,
    caller: target.caller,
    stream: target.stream,
    method: 'one-click',
    unsubscribedAt: new Date().toISOString(),
  };
  const { rows } = await fromStore(() =>
    ports.db.query<{ added: number }>(
      `WITH added AS (
         INSERT INTO suppression (address, caller, stream, reason, event_id, created_at)
         VALUES ($1, $2, $3, 'unsubscribe', $4, $5)
         ON CONFLICT (address, caller, stream) DO NOTHING
         RETURNING address),
       timeline AS (
         INSERT INTO mail_event (source, event_id, message_id, type, recipient, reason, occurred_at, data)
         SELECT $6, $4, $7, 'email.unsubscribed', $1, 'unsubscribe', $5, $8 FROM added
         ON CONFLICT (source, event_id) DO NOTHING)
       SELECT count(*)::int AS added FROM added`,
      [
        target.recipient,
        target.caller,
        target.stream,
        id,
        data.unsubscribedAt,
        config.EVENT_SOURCE,
        target.messageId,
        JSON.stringify(data),
      ],
    ),
  );
  if ((rows[0]?.added ?? 0) === 0) return { changed: false };
  await ports.events.publish(unsubscribedEvent(id, data, trace, config), trace.traceId);
  return { changed: true, eventId: id };
}

function unsubscribedEvent(
  id: string,
  data: UnsubscribedData,
  trace: TraceContext,
  config: SuppressionEventConfig,
): OutgoingEvent<UnsubscribedData> {
  return {
    name: 'email.unsubscribed',
    attributes: {
      specversion: '1.0',
      id,
      type: unsubscribedEventType(config.EVENT_TYPE_PREFIX),
      source: config.EVENT_SOURCE,
      time: data.unsubscribedAt,
      datacontenttype: 'application/json',
      dataschema: `${publicBaseUrl(config)}/schemas/${UNSUBSCRIBED_SCHEMA_FILE}`,
      subject: data.messageId,
      partitionkey: data.recipient,
      traceparent: traceparentFor(trace.traceId, undefined, trace.sampled),
      ...(trace.tracestate === undefined ? {} : { tracestate: trace.tracestate }),
      data,
    },
  };
}

/**
 * The page a GET shows: what the button does, and the button (a POST of the one-click form to this same
 * URL). It changes nothing. The address is masked: a forwarded mail's link shows it to someone else.
 */
export function confirmationPage(target: UnsubscribeTarget): string {
  const address = escapeHtml(maskAddress(target.recipient));
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Unsubscribe</title></head>
<body>
<h1>Unsubscribe</h1>
<p>Stop campaign mail from this sender to ${address}? Mail you asked for, such as receipts and password resets, still comes.</p>
<form method="post"><input type="hidden" name="${ONE_CLICK.name}" value="${ONE_CLICK.value}"><button type="submit">Unsubscribe</button></form>
</body>
</html>
`;
}

/** What the page may do: no script, its own inline text, one form posting to itself; no referrer leaves it. */
export const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Robots-Tag': 'noindex',
} as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
