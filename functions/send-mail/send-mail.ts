/** The use case: deliver one validated mail, then, when the toggle is on, tell downstream consumers. */
import { isAppError, type ErrorCode } from '../../shared/errors';
import { maskAddress } from '../../shared/logging';
import type { TraceContext } from '../../shared/tracing';
import type { Delivered, Delivery, OutgoingMail, RejectedRecipient } from './delivery';
import type { EmailSentExtensions } from './email-sent-event';
import type { EmailSentData } from '../../shared/contracts/email-sent';
import { OutcomeUnknownError } from './errors';
import type { SendMailRequest } from './request';
import type { EventPublisher } from './event-publisher';

export interface SendMailResult {
  readonly messageId: string;
  /** Only when the server refused some recipients and took the mail for the others. */
  readonly accepted?: readonly string[];
  readonly rejected?: readonly RejectedRecipient[];
  /** Only for a sandbox request: built, not sent. */
  readonly sandbox?: true;
}

export interface SendMailPorts {
  readonly delivery: Delivery;
  /** Absent when FEATURE_EMAIL_SENT_EVENT is off. */
  readonly events?: EventPublisher;
  /** The seam for the emails metric. */
  readonly countEmail?: (outcome: DeliveryOutcome) => void;
}

export type DeliveryOutcome = 'sent' | 'rejected' | 'failed' | 'unavailable' | 'unknown';

const OUTCOME_BY_CODE: Readonly<Partial<Record<ErrorCode, DeliveryOutcome>>> = {
  'email.recipient.rejected': 'rejected',
  'email.send.unavailable': 'unavailable',
  'email.send.unknown': 'unknown',
};

/** What the event carries beyond the mail: the hashed Idempotency-Key of a keyed request. */
export type SendMailCorrelation = EmailSentExtensions;

/** `signal` is the request's: it stops the delivery, never the event of a mail already out. */
/** `trace` is the request's: its id and sampling decision go on the mail and the event. */
export async function sendMail(
  request: SendMailRequest,
  trace: TraceContext,
  ports: SendMailPorts,
  signal?: AbortSignal,
  correlation: SendMailCorrelation = {},
): Promise<SendMailResult> {
  const mail = outgoingMail(request, trace);
  if (request.sandbox) {
    // Validated and built, as a real send would be; no SMTP session, no event, no count of a delivery.
    const { messageId } = await ports.delivery.build(mail);
    return { messageId, sandbox: true };
  }
  let delivered: Delivered;
  try {
    delivered = await ports.delivery.send(mail, signal);
  } catch (err) {
    ports.countEmail?.((isAppError(err) && OUTCOME_BY_CODE[err.code]) || 'failed');
    // The mail may be out: its event is held as a dead letter, to publish only once the mail is found.
    if (err instanceof OutcomeUnknownError) ports.events?.hold(eventData(request, err.messageId), trace, correlation);
    throw err;
  }
  const { messageId, partial } = delivered;
  ports.countEmail?.('sent');
  if (ports.events) {
    // The mail is out: whatever happens to the event, the answer stays 200.
    await ports.events.publish(eventData(request, messageId, partial?.rejected), trace, correlation);
  }
  return partial ? { messageId, accepted: partial.accepted, rejected: partial.rejected } : { messageId };
}

function outgoingMail(request: SendMailRequest, trace: TraceContext): OutgoingMail {
  return {
    to: request.toAddress,
    subject: request.subject,
    text: request.body,
    html: request.html,
    cc: request.cc,
    bcc: request.bcc,
    replyTo: request.replyTo,
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
  refused: readonly RejectedRecipient[] = [],
): EmailSentData {
  const isRefused = new Set(refused.map((recipient) => recipient.address));
  const visible = [request.toAddress, ...(request.cc ?? [])].filter((address) => isRefused.has(address));
  return {
    messageId,
    toAddress: request.toAddress,
    subject: request.subject,
    sentAt: new Date().toISOString(),
    ...(request.cc ? { cc: request.cc.filter((address) => !isRefused.has(address)) } : {}),
    ...(request.bcc ? { bccCount: request.bcc.filter((address) => !isRefused.has(address)).length } : {}),
    ...(visible.length > 0 ? { rejected: visible } : {}),
    ...(request.tags ? { tags: request.tags } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
  };
}
