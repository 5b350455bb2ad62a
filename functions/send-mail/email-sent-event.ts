/**
 * The email.sent.v1 CloudEvent: what downstream consumers learn when a mail went out. Its data schema is
 * defined here once; the committed JSON Schema under openapi/ is generated from it.
 */
import { CloudEvent } from 'cloudevents';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../shared/config';
import { traceparentFor } from '../../shared/tracing';

export const EMAIL_SENT_SCHEMA_FILE = 'email-sent.v1.json';

export const emailSentDataSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'email.sent.v1 data',
  description: 'A mail was accepted by the SMTP server. Never carries the body or any credential.',
  type: 'object',
  additionalProperties: false,
  required: ['messageId', 'toAddress', 'subject', 'sentAt'],
  properties: {
    messageId: { type: 'string', description: 'Message-ID of the mail.' },
    toAddress: { type: 'string', description: 'The recipient, as delivered (IDN domains in punycode).' },
    subject: { type: 'string' },
    sentAt: { type: 'string', format: 'date-time', description: 'When the SMTP server accepted the mail (RFC 3339).' },
  },
} as const;

export interface EmailSentData {
  readonly messageId: string;
  readonly toAddress: string;
  readonly subject: string;
  readonly sentAt: string;
}

export type EventConfig = Pick<Config, 'EVENT_TYPE_PREFIX' | 'EVENT_SOURCE' | 'PUBLIC_BASE_URL'>;

export function emailSentEventType(config: EventConfig): string {
  return `${config.EVENT_TYPE_PREFIX}.email.sent.v1`;
}

export function buildEmailSentEvent(data: EmailSentData, traceId: string, config: EventConfig): CloudEvent<EmailSentData> {
  return new CloudEvent<EmailSentData>({
    specversion: '1.0',
    id: randomUUID(),
    type: emailSentEventType(config),
    source: config.EVENT_SOURCE,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/schemas/${EMAIL_SENT_SCHEMA_FILE}`,
    subject: data.messageId,
    partitionkey: data.toAddress,
    traceparent: traceparentFor(traceId),
    data,
  });
}
