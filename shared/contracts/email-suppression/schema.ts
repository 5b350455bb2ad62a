/**
 * email.suppression.changed.v1: an address was put on the suppression list by hand, or taken off it
 * (reactivated), through the records API. Suppressions the recorder adds follow from email.bounced and
 * email.complained events already on the bus, so they carry no event of their own. No CloudEvents SDK here.
 */
export const SUPPRESSION_CHANGED_SCHEMA_FILE = 'email-suppression-changed.v1.json';

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface SuppressionChangedData {
  readonly address: string;
  readonly change: 'added' | 'removed';
  /** The suppression's reason: the one added, or the one removed. */
  readonly reason: SuppressionReason;
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
