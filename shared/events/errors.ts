/**
 * What a failed send means for its events. A send the transport gave up on may still land (the request
 * reached the broker or the sink, the answer did not come back), so a dead letter must say which it is:
 * `failure` when the event cannot be there, `unknown` when it may be.
 */

/** What a dead-lettered event's outcome says: refused and cannot land, or may still land. */
export type SendFailureOutcome = 'failure' | 'unknown';

/** A send that did not complete, with what that means for its events. */
export class EventSendError extends Error {
  constructor(
    readonly outcome: SendFailureOutcome,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'EventSendError';
  }
}
