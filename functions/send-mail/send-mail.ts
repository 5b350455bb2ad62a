/** The use case: deliver one validated mail, then, when the toggle is on, tell downstream consumers. */
import { isAppError, type ErrorCode } from '../../shared/errors';
import { maskAddress, type Logger } from '../../shared/logging';
import type { TraceContext } from '../../shared/tracing';
import type { Delivery } from './delivery';
import type { EmailSentExtensions } from './email-sent-event';
import type { EmailSentData } from '../../shared/contracts/email-sent';
import { OutcomeUnknownError } from './errors';
import type { SendMailRequest } from './request';
import type { EventPublisher } from './event-publisher';

export interface SendMailResult {
  readonly messageId: string;
}

export interface SendMailPorts {
  readonly delivery: Delivery;
  readonly logger: Logger;
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
  let messageId: string;
  try {
    ({ messageId } = await ports.delivery.send(
      {
        to: request.toAddress,
        subject: request.subject,
        text: request.body,
        traceId: trace.traceId,
        sampled: trace.sampled,
      },
      signal,
    ));
  } catch (err) {
    ports.countEmail?.((isAppError(err) && OUTCOME_BY_CODE[err.code]) || 'failed');
    // The mail may be out: its event is held as a dead letter, to publish only once the mail is found.
    if (err instanceof OutcomeUnknownError) ports.events?.hold(eventData(request, err.messageId), trace, correlation);
    throw err;
  }
  ports.countEmail?.('sent');
  ports.logger.info(
    { email: { to: { address: maskAddress(request.toAddress) }, message_id: messageId } },
    'mail delivered',
  );
  if (ports.events) {
    // The mail is out: whatever happens to the event, the answer stays 200.
    await ports.events.publish(eventData(request, messageId), trace, correlation);
  }
  return { messageId };
}

function eventData(request: SendMailRequest, messageId: string): EmailSentData {
  return { messageId, toAddress: request.toAddress, subject: request.subject, sentAt: new Date().toISOString() };
}
