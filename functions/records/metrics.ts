/** records' business metrics, registered on the function's registry next to the request metrics. */
import { Counter, type Registry } from 'prom-client';
import type { EventOutcome } from '../../shared/events';

export interface RecordsMetrics {
  readonly countEvent: (outcome: EventOutcome) => void;
  /** One-click POSTs that opened: `added`, or `unchanged` (the recipient had left the stream already). */
  readonly countUnsubscribe: (outcome: 'added' | 'unchanged') => void;
}

export function createRecordsMetrics(registry: Registry): RecordsMetrics {
  const events = new Counter({
    name: 'mailer_events_total',
    help: 'email.suppression.changed and email.unsubscribed events by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const unsubscribes = new Counter({
    name: 'mailer_unsubscribes_total',
    help: 'One-click unsubscribes by outcome: added, or unchanged (a repeated POST).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    countEvent: (outcome) => events.inc({ outcome }),
    countUnsubscribe: (outcome) => unsubscribes.inc({ outcome }),
  };
}
