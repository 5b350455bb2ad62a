/**
 * The port every function publishes CloudEvents through, whatever the transport. A failed event never
 * fails the request that caused it (what it reports already happened): it becomes a dead letter
 * (dead-letters.ts), a log line with the whole event, replayable with its id.
 */
import type { CloudEvent, CloudEventV1 } from 'cloudevents';

/** An event as its producer builds it: the attributes as the CloudEvents spec names them, and its data. */
export interface OutgoingEvent<T = unknown> {
  /** The event's short name for log lines, e.g. `email.sent` (its type is `<prefix>.email.sent.v1`). */
  readonly name: string;
  readonly attributes: CloudEventV1<T>;
}

export type EventOutcome = 'published' | 'dead_lettered';

export interface EventPublisher {
  /** Publishes the event, or dead-letters it; never throws. `traceId` goes on the record's B3 headers. */
  publish(event: OutgoingEvent, traceId: string): Promise<EventOutcome>;
  /**
   * Writes the event as a held dead letter, never to the transport: what it reports may not have happened
   * (`reason`, e.g. `email.send.unknown`). Replay it only once that is known.
   */
  hold(event: OutgoingEvent, reason: string): void;
  /**
   * Sends an event built earlier unchanged (same id, source, time): the replay of a dead letter. Rejects
   * with the send's error; writes no dead letter (the replay tool keeps the line).
   */
  replay(event: CloudEvent<unknown>): Promise<void>;
  /** DOWN after a failed send until the next success. */
  status(): 'UP' | 'DOWN';
  stop(): Promise<void>;
}

/** The seam for a function's events metric. */
export type EventOutcomeCounter = (outcome: EventOutcome) => void;
