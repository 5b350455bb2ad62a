/**
 * Around every publisher: an event that could not be sent is written as a dead-letter log line with the
 * whole structured CloudEvent, flushed to stdout at once, so it can be replayed with the same id. The line
 * says whether the event may still land (`unknown`) or cannot (`failure`); a held event (the mail's own
 * outcome unknown) says `unknown` and `events.publish.held`.
 */
import type { CloudEvent } from 'cloudevents';
import type { EmailSentData } from '../../shared/contracts/email-sent';
import { flushLogsSync, type Logger } from '../../shared/logging';
import { BreakerTimeoutError } from '../../shared/resilience';
import { buildEmailSentEvent, type EventConfig } from './email-sent-event';
import type { EventOutcomeCounter, EventPublisher } from './event-publisher';
import { EventSendError, type SendFailureOutcome } from './kafka-send';

export function withDeadLetters(
  config: EventConfig,
  logger: Logger,
  count: EventOutcomeCounter,
  send: (event: CloudEvent<EmailSentData>, traceId: string) => Promise<void>,
  stop: () => Promise<void>,
): EventPublisher {
  let healthy = true;
  const deadLetter = (event: CloudEvent<EmailSentData>, outcome: Record<string, string>, fields: object = {}): void => {
    logger.error(
      { event: { action: 'publish', ...outcome }, ...fields, cloudevent: event.toJSON() },
      'email.sent event not published: dead letter',
    );
    // The line is the event's only record: it must be on stdout even if the process ends right now.
    flushLogsSync(logger);
    count('dead_lettered');
  };
  return {
    async publish(data, trace, extensions) {
      const event = buildEmailSentEvent(data, trace, config, extensions);
      try {
        await send(event, trace.traceId);
        healthy = true;
        count('published');
        return 'published';
      } catch (err) {
        healthy = false;
        const cause = (err instanceof EventSendError ? err.cause : err) as Error;
        deadLetter(
          event,
          { outcome: deadLetterOutcome(err), code: 'events.publish.failed' },
          { error: { type: cause.name, message: cause.message } },
        );
        return 'dead_lettered';
      }
    },
    hold(data, trace, extensions) {
      deadLetter(buildEmailSentEvent(data, trace, config, extensions), {
        outcome: 'unknown',
        code: 'events.publish.held',
        reason: 'email.send.unknown',
      });
    },
    replay: (event) => send(event, traceIdOf(event)),
    status: () => (healthy ? 'UP' : 'DOWN'),
    stop,
  };
}

/** Whether a dead-lettered event may still be on the topic (see kafka-send.ts). */
export function deadLetterOutcome(err: unknown): SendFailureOutcome {
  if (err instanceof EventSendError) return err.outcome;
  // The backstop gave up on a send that goes on: it may still land. The breaker open, or the local file: it cannot.
  return err instanceof BreakerTimeoutError ? 'unknown' : 'failure';
}

/** The trace id an event was sent with, from its traceparent (a 16-hex B3 id was padded with zeros). */
export function traceIdOf(event: CloudEvent<EmailSentData>): string {
  const traceparent = typeof event.traceparent === 'string' ? event.traceparent : '';
  const id = traceparent.split('-')[1] ?? '';
  return /^0{16}[0-9a-f]{16}$/.test(id) ? id.slice(16) : id;
}
