/** feedback's business metrics, registered on the function's registry next to the request metrics. */
import { Counter, type Registry } from 'prom-client';
import type { EventOutcome } from '../../shared/events';
import type { Classification, ReportKind } from './report/reading';

export interface FeedbackMetrics {
  readonly countReport: (kind: ReportKind, correlated: boolean) => void;
  readonly countRecipient: (classification: Classification) => void;
  readonly countEvent: (outcome: EventOutcome) => void;
}

export function createFeedbackMetrics(registry: Registry): FeedbackMetrics {
  const reports = new Counter({
    name: 'mailer_feedback_reports_total',
    help: 'Inbound reports by kind (dsn, arf, autoreply, unknown) and whether a VERP tag tied them to one of our mails.',
    labelNames: ['kind', 'correlated'],
    registers: [registry],
  });
  const recipients = new Counter({
    name: 'mailer_feedback_recipients_total',
    help: 'Recipients named by inbound reports, by classification (hard, soft, delayed, complaint, unknown).',
    labelNames: ['classification'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'mailer_events_total',
    help: 'email.bounced, email.delayed and email.complained events by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    countReport: (kind, correlated) => reports.inc({ kind, correlated: String(correlated) }),
    countRecipient: (classification) => recipients.inc({ classification }),
    countEvent: (outcome) => events.inc({ outcome }),
  };
}
