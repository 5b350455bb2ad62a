/**
 * Around every publisher: an event that could not be sent is written as a dead-letter log line with the
 * whole structured CloudEvent, flushed to stdout at once, so it can be replayed with the same id. The line
 * says whether the event may still land (`unknown`) or cannot (`failure`); a held event (what it reports may
 * not have happened) says `unknown` and `events.publish.held`.
 */
import type { CloudEvent } from 'cloudevents';
import { flushLogsSync, type Logger } from '../logging';
import { BreakerTimeoutError } from '../resilience';
import { toCloudEvent, traceIdOf } from './cloud-event';
import { DEAD_LETTER_MESSAGE_SUFFIX, FAILED_CODE, HELD_CODE } from './dead-letter-line';
import { EventSendError, type SendFailureOutcome } from './errors';
import type { EventOutcomeCounter, EventPublisher } from './port';

export function withDeadLetters(
  logger: Logger,
  count: EventOutcomeCounter,
  send: (event: CloudEvent<unknown>, traceId: string) => Promise<void>,
  stop: () => Promise<void>,
): EventPublisher {
  let healthy = true;
  const deadLetter = (
    name: string,
    event: CloudEvent<unknown>,
    outcome: Record<string, string>,
    fields: object = {},
  ): void => {
    logger.error(
      { event: { action: 'publish', ...outcome }, ...fields, cloudevent: event.toJSON() },
      `${name}${DEAD_LETTER_MESSAGE_SUFFIX}`,
    );
    // The line is the event's only record: it must be on stdout even if the process ends right now.
    flushLogsSync(logger);
    count('dead_lettered');
  };
  return {
    async publish(outgoing, traceId) {
      const event = toCloudEvent(outgoing);
      try {
        await send(event, traceId);
        healthy = true;
        count('published');
        return 'published';
      } catch (err) {
        healthy = false;
        const cause = (err instanceof EventSendError ? err.cause : err) as Error;
        deadLetter(
          outgoing.name,
          event,
          { outcome: deadLetterOutcome(err), code: FAILED_CODE },
          { error: { type: cause.name, message: cause.message } },
        );
        return 'dead_lettered';
      }
    },
    hold(outgoing, reason) {
      deadLetter(outgoing.name, toCloudEvent(outgoing), { outcome: 'unknown', code: HELD_CODE, reason });
    },
    replay: (event) => send(event, traceIdOf(event)),
    status: () => (healthy ? 'UP' : 'DOWN'),
    stop,
  };
}

/** Whether a dead-lettered event may still have reached its transport (see errors.ts). */
export function deadLetterOutcome(err: unknown): SendFailureOutcome {
  if (err instanceof EventSendError) return err.outcome;
  // The backstop gave up on a send that goes on: it may still land. The breaker open, or the local file: it cannot.
  return err instanceof BreakerTimeoutError ? 'unknown' : 'failure';
}
