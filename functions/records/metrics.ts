/** records' business metrics, registered on the function's registry next to the request metrics. */
import { Counter, type Registry } from 'prom-client';
import type { EventOutcome } from '../../shared/events';

export interface RecordsMetrics {
  readonly countEvent: (outcome: EventOutcome) => void;
}

export function createRecordsMetrics(registry: Registry): RecordsMetrics {
  const events = new Counter({
    name: 'mailer_events_total',
    help: 'email.suppression.changed events by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { countEvent: (outcome) => events.inc({ outcome }) };
}
