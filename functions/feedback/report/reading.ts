/**
 * What the feedback function reads from one inbound mail: what kind of report it is and, per recipient it
 * names, a classification with a reason from a small vocabulary (docs/feedback.md lists it).
 */
/**
 * The most recipients one report may name (send-mail's MAX_RECIPIENTS is 50 by default): a report naming
 * more is no report of ours, and is read for none (read-report.ts).
 */
export const MAX_RECIPIENTS = 100;

export type ReportKind = 'dsn' | 'arf' | 'autoreply' | 'unknown';

export type Classification = 'hard' | 'soft' | 'delayed' | 'complaint' | 'unknown';

/** Why a recipient bounced or complained: the vocabulary the events carry. */
export const REASONS = [
  'user_unknown',
  'host_unknown',
  'has_moved',
  'not_accepting',
  'mailbox_full',
  'suspended',
  'message_too_big',
  'blocked',
  'spam',
  'filtered',
  'policy',
  'expired',
  'network',
  'system',
  'syntax',
  'complaint',
  'unknown',
] as const;
export type Reason = (typeof REASONS)[number];

export interface RecipientReading {
  /** The recipient the report is about (lowercased domain; the local part as written). */
  readonly recipient: string;
  readonly classification: Classification;
  readonly reason: Reason;
  /** RFC 3463 enhanced status code (`5.1.1`), when the report gives one or an SMTP reply code implies its class. */
  readonly status?: string;
  /** The SMTP reply code (`550`), when the diagnostic carries one. */
  readonly smtpCode?: string;
  /** The remote server's words, trimmed (at most 1000 characters). */
  readonly diagnostic?: string;
  readonly remoteMta?: string;
  /** ARF only: the Feedback-Type (`abuse`, `fraud`, …). */
  readonly feedbackType?: string;
  /** ARF only: the reporting agent (User-Agent or Reporting-MTA). */
  readonly reportingAgent?: string;
}

export interface Reading {
  readonly kind: ReportKind;
  readonly recipients: readonly RecipientReading[];
  /**
   * The addresses the report was delivered to, as the MTA recorded them (X-Original-To, Delivered-To,
   * Envelope-To) and the report's To: where a VERP tag may be found.
   */
  readonly envelopeRecipients: readonly string[];
  /** Why the mail could not be read as a report, when kind is `unknown` (a stable word, no content). */
  readonly unreadable?: string;
}
