/**
 * The use case: deliver one validated mail, then, when the toggle is on, tell downstream consumers with its
 * email.sent event (built here, published through shared/events), or hold the event when the mail's
 * outcome is unknown.
 */
import { randomUUID } from 'node:crypto';
import { EMAIL_SENT_SCHEMA_FILE, emailSentEventType, type EmailSentData } from '../../shared/contracts/email-sent';
import { isAppError, type ErrorCode } from '../../shared/errors';
import { publicBaseUrl, type EventOutcome, type EventPublisher, type OutgoingEvent } from '../../shared/events';
import { maskAddress } from '../../shared/logging';
import { traceparentFor, type TraceContext } from '../../shared/tracing';
import { emailError, OutcomeUnknownError } from './errors';
import type { SendMailRequest } from './http/request';
import type { SendMailConfig } from './settings';
import type { Delivered, Delivery, OutgoingMail, RejectedRecipient } from './smtp/delivery';
import type { SuppressionCheck } from './suppression';

/** A recipient not mailed because it is on the suppression list. */
export interface SuppressedRecipient {
  readonly address: string;
  readonly reason: 'suppressed';
}

export interface SendMailResult {
  readonly messageId: string;
  /** Only when the server refused some recipients and took the mail for the others. */
  readonly accepted?: readonly string[];
  readonly rejected?: readonly (RejectedRecipient | SuppressedRecipient)[];
  /** Only for a sandbox request: built, not sent. */
  readonly sandbox?: true;
}

export interface SendMailPorts {
  readonly delivery: Delivery;
  /** Absent when SUPPRESSION_CHECK is off. */
  readonly suppressions?: SuppressionCheck;
  /** Absent when FEATURE_EMAIL_SENT_EVENT is off. */
  readonly events?: EmailSentEvents;
  /** The seam for the emails metric. */
  readonly countEmail?: (outcome: DeliveryOutcome) => void;
  /** Whether the delivery makes our one-click links (UNSUBSCRIBE_BASE_URL set). */
  readonly oneClickUnsubscribe?: boolean;
}

export type DeliveryOutcome = 'sent' | 'rejected' | 'suppressed' | 'failed' | 'unavailable' | 'unknown';

const OUTCOME_BY_CODE: Readonly<Partial<Record<ErrorCode, DeliveryOutcome>>> = {
  'email.recipient.rejected': 'rejected',
  'email.send.unavailable': 'unavailable',
  'email.send.unknown': 'unknown',
};

/** What the event carries beyond the mail: who sent it, and the hashed Idempotency-Key of a keyed request. */
export interface SendMailCorrelation extends EmailSentExtensions {
  /** The token's sub (else azp/client_id): the event's `caller`, whose timeline the mail is. */
  readonly caller?: string;
}

/**
 * Extension attributes of one event beyond tracing: `idempotencykey`, the SHA-256 (hex) of the request's
 * Idempotency-Key, when it carried one (docs/events.md).
 */
export interface EmailSentExtensions {
  readonly idempotencykey?: string;
}

/** The email.sent events of this function's mails. */
export interface EmailSentEvents {
  /** Publishes the event of a delivered mail, or dead-letters it; never throws. `id`: the mail's id. */
  publish(
    data: EmailSentData,
    trace: TraceContext,
    extensions?: EmailSentExtensions,
    id?: string,
  ): Promise<EventOutcome>;
  /**
   * For a mail whose outcome is unknown (502 email.send.unknown): its event as a held dead letter, never
   * published. Replay it only once the Message-ID is found at the SMTP server.
   */
  hold(data: EmailSentData, trace: TraceContext, extensions?: EmailSentExtensions, id?: string): void;
}

/** What the event's envelope is made of. */
export type EmailSentEventConfig = Pick<SendMailConfig, 'EVENT_TYPE_PREFIX' | 'EVENT_SOURCE'> &
  Parameters<typeof publicBaseUrl>[0];

export function emailSentEvents(publisher: EventPublisher, config: EmailSentEventConfig): EmailSentEvents {
  return {
    publish: (data, trace, extensions, id) =>
      publisher.publish(emailSentEvent(data, trace, config, extensions, id), trace.traceId),
    hold: (data, trace, extensions, id) =>
      publisher.hold(emailSentEvent(data, trace, config, extensions, id), 'email.send.unknown'),
  };
}

/**
 * The email.sent.v1 CloudEvent of one mail: one id per mail (the mail's own id, which its Message-ID and
 * VERP tag carry, so a bounce names this event), keyed by its recipient, with the
 * CloudEvents distributed-tracing extension (`traceparent` with the caller's sampling decision,
 * `tracestate` unchanged).
 */
export function emailSentEvent(
  data: EmailSentData,
  trace: TraceContext,
  config: EmailSentEventConfig,
  extensions: EmailSentExtensions = {},
  id: string = randomUUID(),
): OutgoingEvent<EmailSentData> {
  return {
    name: 'email.sent',
    attributes: {
      specversion: '1.0',
      id,
      type: emailSentEventType(config.EVENT_TYPE_PREFIX),
      source: config.EVENT_SOURCE,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      dataschema: `${publicBaseUrl(config)}/schemas/${EMAIL_SENT_SCHEMA_FILE}`,
      subject: data.messageId,
      partitionkey: data.toAddress,
      traceparent: traceparentFor(trace.traceId, undefined, trace.sampled),
      ...(trace.tracestate === undefined ? {} : { tracestate: trace.tracestate }),
      ...(extensions.idempotencykey === undefined ? {} : { idempotencykey: extensions.idempotencykey }),
      data,
    },
  };
}

/**
 * `signal` is the request's: it stops the delivery, never the event of a mail already out; `deadlineAt` is
 * when it aborts for the request's budget (performance.now()'s clock), for the delivery's DATA admission.
 */
/** `trace` is the request's: its id and sampling decision go on the mail and the event. */
export async function sendMail(
  request: SendMailRequest,
  trace: TraceContext,
  ports: SendMailPorts,
  signal?: AbortSignal,
  correlation: SendMailCorrelation = {},
  deadlineAt?: number,
): Promise<SendMailResult> {
  // Before anything is built or sent, and for a sandbox request too: it reports what a send would do.
  const { caller, ...extensions } = correlation;
  // A broadcast mail without a one-click link would fail Gmail's and Yahoo's bulk-sender rules.
  if (request.stream === 'broadcast' && request.listUnsubscribe === undefined && !ports.oneClickUnsubscribe)
    throw emailError('email.unsubscribe.unavailable', {
      details: [{ field: 'list_unsubscribe', code: 'field.required' }],
    });
  const suppressed = await suppressedRecipients(request, ports, caller);
  const mail = outgoingMail(request, trace, randomUUID(), suppressed, caller);
  if (request.sandbox) {
    // Validated and built, as a real send would be; no SMTP session, no event, no count of a delivery.
    const { messageId } = await ports.delivery.build(mail);
    return { messageId, sandbox: true, ...leftOut(request, suppressed) };
  }
  let delivered: Delivered;
  try {
    delivered = await ports.delivery.send(mail, signal, deadlineAt);
  } catch (err) {
    ports.countEmail?.((isAppError(err) && OUTCOME_BY_CODE[err.code]) || 'failed');
    // The mail may be out: its event is held as a dead letter, to publish only once the mail is found.
    if (err instanceof OutcomeUnknownError)
      ports.events?.hold(eventData(request, err.messageId, caller, suppressed), trace, extensions, mail.id);
    throw err;
  }
  const { messageId, partial } = delivered;
  ports.countEmail?.('sent');
  if (ports.events) {
    // The mail is out: whatever happens to the event, the answer stays 200.
    await ports.events.publish(
      eventData(request, messageId, caller, suppressed, partial?.rejected),
      trace,
      extensions,
      mail.id,
    );
  }
  const left = leftOut(request, suppressed);
  if (partial)
    return { messageId, accepted: partial.accepted, rejected: [...partial.rejected, ...(left?.rejected ?? [])] };
  return { messageId, ...left };
}

const NONE: ReadonlySet<string> = new Set();

/** To, Cc and Bcc with the request's field names (`cc/1`: the second Cc), as the error details name them. */
function recipientFields(request: SendMailRequest): { readonly field: string; readonly address: string }[] {
  return [
    { field: 'to_address', address: request.toAddress },
    ...(request.cc ?? []).map((address, index) => ({ field: `cc/${index}`, address })),
    ...(request.bcc ?? []).map((address, index) => ({ field: `bcc/${index}`, address })),
  ];
}

/**
 * The suppressed recipients; 422 email.recipient.suppressed (no mail) when that is all of them. A broadcast
 * mail also skips those who unsubscribed from its caller's broadcast stream.
 */
async function suppressedRecipients(
  request: SendMailRequest,
  ports: SendMailPorts,
  caller: string | undefined,
): Promise<ReadonlySet<string>> {
  if (!ports.suppressions) return NONE;
  const recipients = recipientFields(request);
  const found = await ports.suppressions.suppressed(
    recipients.map((recipient) => recipient.address),
    request.stream === 'broadcast' ? caller : undefined,
  );
  if (found.size === 0) return NONE;
  if (recipients.every((recipient) => found.has(recipient.address))) {
    if (!request.sandbox) ports.countEmail?.('suppressed');
    throw emailError('email.recipient.suppressed', {
      details: recipients.map((recipient) => ({ field: recipient.field, code: 'recipient.suppressed' })),
    });
  }
  return new Set(found.keys());
}

/**
 * The answer's lists when the suppression list left some recipients out: who the mail is for, and each one
 * left out with reason `suppressed`; undefined when nobody was.
 */
function leftOut(
  request: SendMailRequest,
  suppressed: ReadonlySet<string>,
): { readonly accepted: string[]; readonly rejected: SuppressedRecipient[] } | undefined {
  if (suppressed.size === 0) return undefined;
  const addresses = recipientFields(request).map(({ address }) => address);
  return {
    accepted: addresses.filter((address) => !suppressed.has(address)),
    rejected: addresses
      .filter((address) => suppressed.has(address))
      .map((address) => ({ address, reason: 'suppressed' as const })),
  };
}

function outgoingMail(
  request: SendMailRequest,
  trace: TraceContext,
  id: string,
  suppressed: ReadonlySet<string>,
  caller: string | undefined,
): OutgoingMail {
  const listUnsubscribe =
    request.listUnsubscribe !== undefined
      ? { url: request.listUnsubscribe }
      : request.stream === 'broadcast' && caller !== undefined
        ? { caller }
        : undefined;
  return {
    id,
    ...(listUnsubscribe ? { listUnsubscribe } : {}),
    ...(suppressed.size > 0 ? { suppressed } : {}),
    to: request.toAddress,
    subject: request.subject,
    text: request.body,
    html: request.html,
    cc: request.cc,
    bcc: request.bcc,
    replyTo: request.replyTo,
    attachments: request.attachments,
    traceId: trace.traceId,
    sampled: trace.sampled,
  };
}

/**
 * What the request's one access-log line says about the mail (one line per request, not a second "mail
 * delivered" line): masked recipients, counts, the caller's tags and metadata (never metric labels).
 */
export function deliveredLogFields(request: SendMailRequest, result: SendMailResult): Record<string, unknown> {
  return {
    to: { address: maskAddress(request.toAddress) },
    message_id: result.messageId,
    ...(result.rejected ? { rejected_count: result.rejected.length } : {}),
    ...(result.sandbox ? { sandbox: true } : {}),
    ...(request.cc ? { cc_count: request.cc.length } : {}),
    ...(request.bcc ? { bcc_count: request.bcc.length } : {}),
    ...(request.tags ? { tags: request.tags } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
  };
}

/**
 * Who the mail went to: To as addressed, the Cc recipients the server took, the Bcc ones only counted,
 * the To and Cc addresses it refused. Fields the request did not use stay out, so an old-shape request's
 * event keeps its old shape.
 */
function eventData(
  request: SendMailRequest,
  messageId: string,
  caller: string | undefined,
  suppressed: ReadonlySet<string>,
  refused: readonly RejectedRecipient[] = [],
): EmailSentData {
  const isRefused = new Set([...refused.map((recipient) => recipient.address), ...suppressed]);
  const visible = [request.toAddress, ...(request.cc ?? [])].filter(
    (address) => isRefused.has(address) && !suppressed.has(address),
  );
  const visibleSuppressed = [request.toAddress, ...(request.cc ?? [])].filter((address) => suppressed.has(address));
  return {
    messageId,
    toAddress: request.toAddress,
    subject: request.subject,
    sentAt: new Date().toISOString(),
    ...(request.cc ? { cc: request.cc.filter((address) => !isRefused.has(address)) } : {}),
    ...(request.bcc ? { bccCount: request.bcc.filter((address) => !isRefused.has(address)).length } : {}),
    ...(visible.length > 0 ? { rejected: visible } : {}),
    ...(visibleSuppressed.length > 0 ? { suppressed: visibleSuppressed } : {}),
    ...(request.tags ? { tags: request.tags } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(request.stream ? { stream: request.stream } : {}),
    ...(request.attachments?.length
      ? {
          attachmentCount: request.attachments.length,
          attachmentBytes: request.attachments.reduce((sum, attachment) => sum + attachment.bytes, 0),
        }
      : {}),
    ...(caller === undefined ? {} : { caller }),
  };
}
