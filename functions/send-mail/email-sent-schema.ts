/**
 * The email.sent.v1 event's contract without the CloudEvents SDK: its data schema (defined here once; the
 * committed JSON Schema under openapi/ is generated from it), type and file name. The docs function and the
 * spec need only this, so they never load the SDK.
 */
import type { Config } from '../../shared/config';

export const EMAIL_SENT_SCHEMA_FILE = 'email-sent.v1.json';

export const emailSentDataSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'email.sent.v1 data',
  description: 'A mail was accepted by the SMTP server. Never carries the body or any credential. Delivered at least once: a duplicate carries the same CloudEvent id; dedupe by source + id.',
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
