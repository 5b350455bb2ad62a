/** recorder's business metrics, registered on the function's registry next to the request metrics. */
import { Counter, type Registry } from 'prom-client';
import type { EventName } from './events';

export type RecordOutcome = 'recorded' | 'duplicate' | 'rejected' | 'unavailable';

export interface RecorderMetrics {
  readonly countEvent: (type: EventName | 'unknown', outcome: RecordOutcome) => void;
  readonly countSuppression: (reason: 'hard_bounce' | 'complaint') => void;
}

export function createRecorderMetrics(registry: Registry): RecorderMetrics {
  const events = new Counter({
    name: 'mailer_recorder_events_total',
    help: 'Events delivered to the recorder, by type and outcome: recorded, duplicate (a redelivery, nothing changed), rejected (4xx: to the dead-letter sink), unavailable (503: redelivered later).',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const suppressions = new Counter({
    name: 'mailer_suppressions_added_total',
    help: 'Addresses the recorder added to the suppression list, by reason (hard_bounce, complaint).',
    labelNames: ['reason'],
    registers: [registry],
  });
  return {
    countEvent: (type, outcome) => events.inc({ type, outcome }),
    countSuppression: (reason) => suppressions.inc({ reason }),
  };
}
