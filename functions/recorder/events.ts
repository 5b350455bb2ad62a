/**
 * What the recorder records, read from a CloudEvent: its type (one of the four it knows, below the
 * deployment's EVENT_TYPE_PREFIX), its data checked against the type's published contract, and the fields
 * the timeline and the suppression list need, addresses in their one form (shared/addresses).
 */
import { checkAddress } from '../../shared/addresses';
import {
  FEEDBACK_EVENTS,
  feedbackEventType,
  type FeedbackData,
  type FeedbackEventName,
} from '../../shared/contracts/email-feedback';
import { emailSentEventType, type EmailSentData } from '../../shared/contracts/email-sent';
import type { FieldProblem } from '../../shared/errors';
import { recorderError } from './errors';
import * as validators from './generated/event-data.validators';

/** The CloudEvent as the SDK (or functions-framework) decoded it. */
export interface IncomingEvent {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly data?: unknown;
}

export type EventName = 'email.sent' | FeedbackEventName;

interface Recorded {
  readonly name: EventName;
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly messageId: string;
  /** When it happened: the mail's sentAt, the report's reportedAt. */
  readonly occurredAt: Date;
  readonly data: object;
}

export interface SentEvent extends Recorded {
  readonly name: 'email.sent';
  readonly caller?: string;
  /** To and the Cc recipients the server took (Bcc recipients are never named). */
  readonly recipients: readonly string[];
  /** The message stream: absent in the event is transactional. */
  readonly stream: 'transactional' | 'broadcast';
}

export interface FeedbackEvent extends Recorded {
  readonly name: FeedbackEventName;
  readonly emailSentId: string;
  readonly recipient: string;
  readonly classification: FeedbackData['classification'];
  readonly reason: string;
  readonly status?: string;
  /** The suppression list's key: the recipient in its one form; absent when it is no mail address. */
  readonly address?: string;
}

export type RecordedEvent = SentEvent | FeedbackEvent;

type Validator = ((data: unknown) => boolean) & {
  errors?: readonly { instancePath: string; keyword: string; params: Record<string, unknown> }[] | null;
};

const VALIDATORS: Readonly<Record<EventName, Validator>> = {
  'email.sent': validators.emailSent as Validator,
  'email.bounced': validators.emailBounced as Validator,
  'email.delayed': validators.emailDelayed as Validator,
  'email.complained': validators.emailComplained as Validator,
};

/** The event's name for its type, or undefined for a type the recorder does not record. */
export function eventNameOf(type: string, prefix: string): EventName | undefined {
  if (type === emailSentEventType(prefix)) return 'email.sent';
  return FEEDBACK_EVENTS.find((name) => feedbackEventType(prefix, name) === type);
}

/** Throws `recorder.event.unsupported` or `recorder.event.invalid` (with the fields at fault). */
export function readEvent(event: IncomingEvent, prefix: string): RecordedEvent {
  const name = eventNameOf(event.type, prefix);
  if (name === undefined)
    throw recorderError('recorder.event.unsupported', { details: [{ field: 'type', code: 'type.unsupported' }] });
  const validate = VALIDATORS[name];
  if (!validate(event.data)) throw invalid(dataProblems(validate));
  const common = { name, source: event.source, id: event.id, type: event.type };
  if (name === 'email.sent') {
    const data = event.data as EmailSentData;
    return {
      ...common,
      name,
      messageId: data.messageId,
      occurredAt: timeOf(data.sentAt, 'data.sentAt'),
      data,
      recipients: [data.toAddress, ...(data.cc ?? [])].map((address) => formOf(address) ?? address),
      stream: data.stream ?? 'transactional',
      ...(data.caller === undefined ? {} : { caller: data.caller }),
    };
  }
  const data = event.data as FeedbackData;
  const address = formOf(data.recipient);
  return {
    ...common,
    name,
    messageId: data.messageId,
    occurredAt: timeOf(data.reportedAt, 'data.reportedAt'),
    data,
    emailSentId: data.emailSentId,
    recipient: address ?? data.recipient,
    classification: data.classification,
    reason: data.reason,
    ...(data.status === undefined ? {} : { status: data.status }),
    ...(address === undefined ? {} : { address }),
  };
}

/** Whether the event puts its recipient on the suppression list: a hard bounce or a complaint, never soft or delayed. */
export function suppressionReasonOf(event: RecordedEvent): 'hard_bounce' | 'complaint' | undefined {
  if (event.name === 'email.sent' || event.address === undefined) return undefined;
  if (event.classification === 'hard') return 'hard_bounce';
  if (event.classification === 'complaint') return 'complaint';
  return undefined;
}

function formOf(address: string): string | undefined {
  const checked = checkAddress(address);
  return checked.ok ? checked.address : undefined;
}

/** The contracts say date-time; the timeline orders by it, so it must be one. */
function timeOf(value: string, field: string): Date {
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time.getTime()))
    throw invalid([{ field, code: 'format.date-time' }]);
  return time;
}

function dataProblems(validate: Validator): FieldProblem[] {
  return (validate.errors ?? []).slice(0, 10).map((error) => ({
    field: `data${error.instancePath.replace(/\//g, '.')}${typeof error.params.missingProperty === 'string' ? `.${error.params.missingProperty}` : ''}`,
    code: `schema.${error.keyword}`,
  }));
}

function invalid(details: FieldProblem[]): Error {
  return recorderError('recorder.event.invalid', { details });
}
