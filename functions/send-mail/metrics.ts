/** send-mail's business metrics, registered on the function's registry next to the request metrics. */
import { Counter, type Registry } from 'prom-client';
import type { EventOutcome } from '../../shared/events';
import type { IdempotencyOutcome } from './idempotency';
import type { CheckOutcome } from './suppression';
import type { DeliveryOutcome } from './send-mail';

export interface SendMailMetrics {
  readonly countEmail: (outcome: DeliveryOutcome) => void;
  readonly countEvent: (outcome: EventOutcome) => void;
  readonly countIdempotency: (outcome: IdempotencyOutcome) => void;
  readonly countSuppressionCheck: (outcome: CheckOutcome) => void;
}

export function createSendMailMetrics(registry: Registry): SendMailMetrics {
  const emails = new Counter({
    name: 'mailer_emails_total',
    help: 'Delivery attempts by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'mailer_events_total',
    help: 'email.sent events by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const idempotency = new Counter({
    name: 'mailer_idempotency_total',
    help: 'Keyed requests by what their Idempotency-Key did: stored, replayed, inflight, mismatch, unavailable; released, locked, unknown; restored, lost, unsettled.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const suppressionChecks = new Counter({
    name: 'mailer_suppression_checks_total',
    help: 'Suppression checks before a send by outcome: clear, suppressed (some or all recipients), skipped (database unavailable, SUPPRESSION_CHECK=best-effort: sent unchecked), failed (unavailable, required: no mail).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    countSuppressionCheck: (outcome) => suppressionChecks.inc({ outcome }),
    countIdempotency: (outcome) => idempotency.inc({ outcome }),
    countEmail: (outcome) => emails.inc({ outcome }),
    countEvent: (outcome) => events.inc({ outcome }),
  };
}
