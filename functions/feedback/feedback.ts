/**
 * The use case: one inbound mail in, what it says out. The report is read (report/), correlated to one
 * of our mails through its VERP tag, and each classified recipient of a correlated bounce, delay or
 * complaint becomes an event, published (or dead-lettered) before the answer: a 202 means each is on its way.
 */
import { createHash } from 'node:crypto';
import {
  feedbackEventType,
  feedbackSchemaFile,
  type FeedbackData,
  type FeedbackEventName,
} from '../../shared/contracts/email-feedback';
import { publicBaseUrl, type EventPublisher, type OutgoingEvent } from '../../shared/events';
import { traceparentFor, type TraceContext } from '../../shared/tracing';
import type { Verp } from '../../shared/verp';
import { readReport } from './report/read-report';
import type { Classification, Reading, ReportKind } from './report/reading';
import type { FeedbackConfig } from './settings';

export interface FeedbackPorts {
  /** Absent without BOUNCE_DOMAIN: reports are read and answered, none correlates. */
  readonly verp?: Verp;
  readonly events: EventPublisher;
  readonly countReport?: (kind: ReportKind, correlated: boolean) => void;
  readonly countRecipient?: (classification: Classification) => void;
}

export type FeedbackEventConfig = Pick<FeedbackConfig, 'EVENT_TYPE_PREFIX' | 'EVENT_SOURCE'> &
  Parameters<typeof publicBaseUrl>[0];

/** What the MTA is told: what was read, whether it is about one of our mails, and the events it caused. */
export interface FeedbackResult {
  readonly kind: ReportKind;
  readonly correlated: boolean;
  readonly messageId?: string;
  readonly emailSentId?: string;
  readonly recipients: readonly {
    readonly recipient: string;
    readonly classification: Classification;
    readonly reason: string;
    readonly status?: string;
    /** The event this recipient caused; absent when none (not correlated, or nothing to tell). */
    readonly eventId?: string;
  }[];
  readonly eventIds: readonly string[];
}

/** The result and what the access log says of the report (no addresses, no content: its hash). */
export interface FeedbackOutcome {
  readonly result: FeedbackResult;
  readonly log: Readonly<Record<string, unknown>>;
}

const EVENT_OF: Readonly<Partial<Record<Classification, FeedbackEventName>>> = {
  hard: 'email.bounced',
  soft: 'email.bounced',
  delayed: 'email.delayed',
  complaint: 'email.complained',
};

export async function receiveReport(
  raw: Buffer,
  trace: TraceContext,
  ports: FeedbackPorts,
  config: FeedbackEventConfig,
): Promise<FeedbackOutcome> {
  const contentHash = createHash('sha256').update(raw).digest('hex');
  const reading = await readReport(raw);
  const mailId = correlate(reading, ports.verp);
  const correlated = mailId !== undefined && (reading.kind === 'dsn' || reading.kind === 'arf');
  const reportedAt = new Date().toISOString();
  const messageId = mailId !== undefined && ports.verp ? `<${mailId}@${ports.verp.domain}>` : undefined;

  const recipients = reading.recipients.map((recipient) => {
    const name = EVENT_OF[recipient.classification];
    const event =
      correlated && name && mailId && messageId
        ? feedbackEvent(
            name,
            { ...recipient, mailId, messageId, reportedAt, reportKind: reading.kind },
            contentHash,
            trace,
            config,
          )
        : undefined;
    return { recipient, event };
  });
  // One report's events go out together: the answer waits for the slowest, bounded by the transport.
  await Promise.all(recipients.flatMap(({ event }) => (event ? [ports.events.publish(event, trace.traceId)] : [])));

  ports.countReport?.(reading.kind, correlated);
  for (const { recipient } of recipients) ports.countRecipient?.(recipient.classification);
  const eventIds = recipients.flatMap(({ event }) => (event ? [event.attributes.id] : []));
  return {
    result: {
      kind: reading.kind,
      correlated,
      ...(correlated && messageId && mailId ? { messageId, emailSentId: mailId } : {}),
      recipients: recipients.map(({ recipient, event }) => ({
        recipient: recipient.recipient,
        classification: recipient.classification,
        reason: recipient.reason,
        ...(recipient.status === undefined ? {} : { status: recipient.status }),
        ...(event ? { eventId: event.attributes.id } : {}),
      })),
      eventIds,
    },
    log: {
      feedback: {
        kind: reading.kind,
        correlated,
        recipients: recipients.length,
        classifications: recipients.map(({ recipient }) => recipient.classification),
        events: eventIds.length,
        content_sha256: contentHash,
        bytes: raw.length,
        ...(reading.unreadable ? { unreadable: reading.unreadable } : {}),
      },
    },
  };
}

/** The mail the report is about: the first address the MTA delivered it to whose VERP tag verifies. */
function correlate(reading: Reading, verp: Verp | undefined): string | undefined {
  if (!verp) return undefined;
  for (const address of reading.envelopeRecipients) {
    const mailId = verp.mailIdOf(address);
    if (mailId !== undefined) return mailId;
  }
  return undefined;
}

type EventInput = Reading['recipients'][number] & {
  readonly mailId: string;
  readonly messageId: string;
  readonly reportedAt: string;
  readonly reportKind: 'dsn' | 'arf';
};

/**
 * One recipient's event. Its id follows from the report's content, the mail and the recipient: an MTA
 * that posts the same report again (a timeout, a retry) causes the same ids, so consumers dedupe it.
 */
export function feedbackEvent(
  name: FeedbackEventName,
  input: EventInput,
  contentHash: string,
  trace: TraceContext,
  config: FeedbackEventConfig,
): OutgoingEvent<FeedbackData> {
  const data: FeedbackData = {
    messageId: input.messageId,
    emailSentId: input.mailId,
    recipient: input.recipient,
    classification: input.classification as FeedbackData['classification'],
    reason: input.reason,
    reportKind: input.reportKind,
    reportedAt: input.reportedAt,
    ...(input.status === undefined ? {} : { status: input.status }),
    ...(input.smtpCode === undefined ? {} : { smtpCode: input.smtpCode }),
    ...(input.diagnostic === undefined ? {} : { diagnostic: input.diagnostic }),
    ...(input.remoteMta === undefined ? {} : { remoteMta: input.remoteMta }),
    ...(input.feedbackType === undefined ? {} : { feedbackType: input.feedbackType }),
    ...(input.reportingAgent === undefined ? {} : { reportingAgent: input.reportingAgent }),
  };
  return {
    name,
    attributes: {
      specversion: '1.0',
      id: stableId(`${contentHash}|${input.mailId}|${input.recipient.toLowerCase()}|${name}`),
      type: feedbackEventType(config.EVENT_TYPE_PREFIX, name),
      source: config.EVENT_SOURCE,
      time: input.reportedAt,
      datacontenttype: 'application/json',
      dataschema: `${publicBaseUrl(config)}/schemas/${feedbackSchemaFile(name)}`,
      subject: input.messageId,
      partitionkey: input.recipient,
      traceparent: traceparentFor(trace.traceId, undefined, trace.sampled),
      ...(trace.tracestate === undefined ? {} : { tracestate: trace.tracestate }),
      data,
    },
  };
}

/** A name-based UUID (RFC 9562 version 8, from SHA-256): the same input, the same id. */
function stableId(input: string): string {
  const bytes = createHash('sha256').update(input).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
