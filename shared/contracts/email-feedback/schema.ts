/**
 * The contracts of what the feedback function learns after the SMTP server's 250: email.bounced.v1,
 * email.delayed.v1 and email.complained.v1. One data shape, three types (a consumer subscribes by type);
 * each has its own published JSON Schema (generated under openapi/schemas/, served by docs). No
 * CloudEvents SDK here, so docs never loads it.
 */

export const FEEDBACK_EVENTS = ['email.bounced', 'email.delayed', 'email.complained'] as const;
export type FeedbackEventName = (typeof FEEDBACK_EVENTS)[number];

/** The published schema's file name, e.g. `email-bounced.v1.json`. */
export function feedbackSchemaFile(name: FeedbackEventName): string {
  return `${name.replace('.', '-')}.v1.json`;
}

/** The CloudEvent type, below the deployment's prefix (EVENT_TYPE_PREFIX). */
export function feedbackEventType(prefix: string, name: FeedbackEventName): string {
  return `${prefix}.${name}.v1`;
}

export interface FeedbackData {
  readonly messageId: string;
  readonly emailSentId: string;
  readonly recipient: string;
  readonly classification: 'hard' | 'soft' | 'delayed' | 'complaint';
  readonly reason: string;
  readonly reportKind: 'dsn' | 'arf';
  readonly reportedAt: string;
  readonly status?: string;
  readonly smtpCode?: string;
  readonly diagnostic?: string;
  readonly remoteMta?: string;
  readonly feedbackType?: string;
  readonly reportingAgent?: string;
}

const DESCRIPTIONS: Readonly<Record<FeedbackEventName, string>> = {
  'email.bounced':
    "A recipient's server refused a mail after our SMTP server accepted it: a delivery status notification (RFC 3464, or an MTA's own form) came back to the mail's VERP address. `hard`: the address is gone (stop mailing it); `soft`: refused for now or for this mail.",
  'email.delayed':
    'A relay is still retrying a mail: a delay warning (Action: delayed) came back. The mail may still arrive; a bounce follows if the relay gives up.',
  'email.complained':
    'A recipient marked a mail as spam (or another feedback type): a feedback-loop report (RFC 5965 ARF) came back for it.',
};

const CLASSIFICATIONS: Readonly<Record<FeedbackEventName, readonly string[]>> = {
  'email.bounced': ['hard', 'soft'],
  'email.delayed': ['delayed'],
  'email.complained': ['complaint'],
};

export function feedbackDataSchema(name: FeedbackEventName): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${name}.v1 data`,
    description: `${DESCRIPTIONS[name]} Only a report whose VERP tag verifies yields an event. Never carries the report's or the mail's body. Delivered at least once: the same report read again gives the same CloudEvent id; dedupe by source + id.`,
    type: 'object',
    additionalProperties: false,
    required: ['messageId', 'emailSentId', 'recipient', 'classification', 'reason', 'reportKind', 'reportedAt'],
    properties: {
      messageId: { type: 'string', description: "The original mail's Message-ID." },
      emailSentId: {
        type: 'string',
        format: 'uuid',
        description: "The id of the original mail's email.sent event (its CloudEvent id).",
      },
      recipient: { type: 'string', description: 'The recipient the report is about, as the report names it.' },
      classification: { enum: [...CLASSIFICATIONS[name]] },
      reason: {
        type: 'string',
        description:
          'Why, from a small vocabulary (docs/feedback.md): user_unknown, host_unknown, has_moved, not_accepting, mailbox_full, suspended, message_too_big, blocked, spam, filtered, policy, expired, network, system, syntax, complaint, unknown.',
      },
      reportKind: {
        enum: ['dsn', 'arf'],
        description: 'What came back: a delivery status notification or an ARF report.',
      },
      reportedAt: {
        type: 'string',
        format: 'date-time',
        description: 'When the feedback function read the report (RFC 3339).',
      },
      status: { type: 'string', description: 'RFC 3463 enhanced status code, e.g. 5.1.1, when the report gives one.' },
      smtpCode: {
        type: 'string',
        description: "The remote server's SMTP reply code, e.g. 550, when the report gives one.",
      },
      diagnostic: {
        type: 'string',
        maxLength: 1000,
        description: "The remote server's words, at most 1000 characters.",
      },
      remoteMta: { type: 'string', description: 'The server that refused, when the report names it.' },
      feedbackType: {
        type: 'string',
        description:
          'email.complained only: the ARF Feedback-Type (abuse, fraud, virus, not-spam, opt-out, auth-failure, other).',
      },
      reportingAgent: {
        type: 'string',
        description: 'email.complained only: who sent the report (its User-Agent or Reporting-MTA).',
      },
    },
  };
}
