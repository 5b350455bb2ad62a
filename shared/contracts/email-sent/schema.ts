/**
 * The email.sent.v1 event's contract, shared by its producer (send-mail) and its publisher (docs): its data
 * schema (defined here once; the committed JSON Schema under openapi/ is generated from it), its data type,
 * its type name and its file name. No CloudEvents SDK here, so the docs function never loads it.
 */
export const EMAIL_SENT_SCHEMA_FILE = 'email-sent.v1.json';

export const emailSentDataSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'email.sent.v1 data',
  description:
    'A mail was accepted by the SMTP server. Never carries the body, a Bcc address or any credential. Delivered at least once: a duplicate carries the same CloudEvent id; dedupe by source + id. Still v1: later fields are optional, so an event of the first shape stays valid.',
  type: 'object',
  additionalProperties: false,
  required: ['messageId', 'toAddress', 'subject', 'sentAt'],
  properties: {
    messageId: { type: 'string', description: 'Message-ID of the mail.' },
    toAddress: { type: 'string', description: 'The recipient, as delivered (IDN domains in punycode).' },
    subject: { type: 'string' },
    sentAt: { type: 'string', format: 'date-time', description: 'When the SMTP server accepted the mail (RFC 3339).' },
    cc: {
      type: 'array',
      items: { type: 'string' },
      description: 'Only for a mail with Cc: the Cc recipients the SMTP server accepted.',
    },
    bccCount: {
      type: 'integer',
      minimum: 0,
      description: 'Only for a mail with Bcc: how many Bcc recipients the SMTP server accepted (never who).',
    },
    rejected: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Only when the SMTP server refused some recipients: the To and Cc addresses it refused (the mail did not go to them; refused Bcc recipients are not named).',
    },
    suppressed: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Only when some recipients are on the suppression list: the To and Cc addresses the mail was not sent to for that (suppressed Bcc recipients are not named).',
    },
    tags: { type: 'array', items: { type: 'string' }, description: "The request's tags, as sent." },
    metadata: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: "The request's metadata, as sent.",
    },
    stream: {
      enum: ['transactional', 'broadcast'],
      description: 'Only when the request named its message stream; absent is transactional.',
    },
    attachmentCount: {
      type: 'integer',
      minimum: 1,
      description: 'Only for a mail with attachments: how many (never their names or content).',
    },
    attachmentBytes: {
      type: 'integer',
      minimum: 0,
      description: 'Only for a mail with attachments: their decoded bytes together.',
    },
    caller: {
      type: 'string',
      description:
        "Who sent it: the token's sub (else azp/client_id). The mail's timeline (GET /api/rest/v1/emails/{messageId}) is that caller's.",
    },
  },
} as const;

export interface EmailSentData {
  readonly messageId: string;
  readonly toAddress: string;
  readonly subject: string;
  readonly sentAt: string;
  readonly cc?: readonly string[];
  readonly bccCount?: number;
  readonly rejected?: readonly string[];
  readonly suppressed?: readonly string[];
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly stream?: 'transactional' | 'broadcast';
  readonly attachmentCount?: number;
  readonly attachmentBytes?: number;
  readonly caller?: string;
}

/** The CloudEvent type, below the deployment's prefix (EVENT_TYPE_PREFIX). */
export function emailSentEventType(prefix: string): string {
  return `${prefix}.email.sent.v1`;
}
