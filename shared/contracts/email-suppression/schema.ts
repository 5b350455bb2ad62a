/**
 * The records function's events. email.suppression.changed.v1: an address was put on the suppression list
 * by hand, or taken off it (reactivated), through the records API. Suppressions the recorder adds follow
 * from email.bounced and email.complained events already on the bus, so they carry no event of their own.
 * email.unsubscribed.v1: a recipient used a broadcast mail's one-click link. No CloudEvents SDK here.
 */
export const SUPPRESSION_CHANGED_SCHEMA_FILE = 'email-suppression-changed.v1.json';
export const UNSUBSCRIBED_SCHEMA_FILE = 'email-unsubscribed.v1.json';

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'manual', 'unsubscribe'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * Whose mail a suppression stops: every mail to the address (`all`: a hard bounce, a complaint, by hand), or
 * only one caller's broadcast stream (an unsubscribe), so that caller's transactional mail still goes out.
 */
export type SuppressionScope = { readonly stream: 'all' } | { readonly stream: 'broadcast'; readonly caller: string };

export const suppressionScopeSchema = {
  description:
    "Whose mail the suppression stops: `{stream: all}` every mail to the address (a hard bounce, a complaint, by hand); `{stream: broadcast, caller}` only that caller's broadcast mail (an unsubscribe): its transactional mail still goes out. `caller` is the sender's name from its token, as the timeline keeps it.",
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['stream'],
      properties: { stream: { const: 'all' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['stream', 'caller'],
      properties: { stream: { const: 'broadcast' }, caller: { type: 'string', minLength: 1 } },
    },
  ],
} as const;

export interface SuppressionChangedData {
  readonly address: string;
  readonly change: 'added' | 'removed';
  /** The suppression's reason: the one added, or the one removed. */
  readonly reason: SuppressionReason;
  /** Absent in events before scopes existed: `all`. */
  readonly scope?: SuppressionScope;
  readonly changedBy: string;
  readonly changedAt: string;
}

export const suppressionChangedDataSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'email.suppression.changed.v1 data',
  description:
    'An address was added to the suppression list by hand, or removed from it (reactivated), through the records API. Delivered at least once: dedupe by source + id.',
  type: 'object',
  additionalProperties: false,
  required: ['address', 'change', 'reason', 'changedBy', 'changedAt'],
  properties: {
    address: {
      type: 'string',
      description: 'The address in its one form: the local part as sent, the domain in lower-case punycode.',
    },
    change: { enum: ['added', 'removed'] },
    reason: {
      enum: [...SUPPRESSION_REASONS],
      description: 'added: manual; removed: the reason the address had been suppressed for.',
    },
    scope: suppressionScopeSchema,
    changedBy: {
      type: 'string',
      description: "Who changed it: the caller's name from its token (issuer and sub, else client id).",
    },
    changedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The CloudEvent type, below the deployment's prefix (EVENT_TYPE_PREFIX). */
export function suppressionChangedEventType(prefix: string): string {
  return `${prefix}.email.suppression.changed.v1`;
}

export interface UnsubscribedData {
  /** The Message-ID of the mail whose link was used. */
  readonly messageId: string;
  /** The address in its one form. */
  readonly recipient: string;
  /** The sender whose broadcast stream the recipient left: its name from its token, as email.sent's `caller`. */
  readonly caller: string;
  readonly stream: 'broadcast';
  /** RFC 8058 one-click (a mailbox provider's POST), or the confirmation page's button: the same POST. */
  readonly method: 'one-click';
  readonly unsubscribedAt: string;
}

export const unsubscribedDataSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'email.unsubscribed.v1 data',
  description:
    "A recipient unsubscribed from one caller's broadcast mail with the mail's one-click link (RFC 8058): the address is suppressed for that caller's broadcast stream only. One event per unsubscribe: a repeated POST changes nothing and emits nothing. Delivered at least once: dedupe by source + id.",
  type: 'object',
  additionalProperties: false,
  required: ['messageId', 'recipient', 'caller', 'stream', 'method', 'unsubscribedAt'],
  properties: {
    messageId: {
      type: 'string',
      description: 'The Message-ID of the mail whose link was used, with its angle brackets.',
    },
    recipient: {
      type: 'string',
      description: 'The address in its one form: the local part as sent, the domain in lower-case punycode.',
    },
    caller: { type: 'string', description: "The sender's name from its token, as email.sent's `caller`." },
    stream: { const: 'broadcast' },
    method: { const: 'one-click' },
    unsubscribedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The CloudEvent type, below the deployment's prefix (EVENT_TYPE_PREFIX). */
export function unsubscribedEventType(prefix: string): string {
  return `${prefix}.email.unsubscribed.v1`;
}
