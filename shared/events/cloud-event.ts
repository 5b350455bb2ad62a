/** The CloudEvents SDK side of an outgoing event: the SDK's object, and the trace headers its records carry. */
import { CloudEvent } from 'cloudevents';
import type { OutgoingEvent } from './port';

/**
 * The SDK's event, not checked per event (strict: false): every attribute is validated configuration
 * (EVENT_SOURCE, PUBLIC_BASE_URL) or made by its producer, and the check's first run compiles a URI regex
 * (10 ms of a cold start's first request; 1 % of a send's CPU after). Tests check every event they read.
 */
export function toCloudEvent(event: OutgoingEvent): CloudEvent<unknown> {
  return new CloudEvent<unknown>(event.attributes, false);
}

/**
 * The single `b3` header of the event's record or POST: the trace id, and the span and sampling decision
 * (flags bit 0) the event's own traceparent carries.
 */
export function b3HeaderOf(event: CloudEvent<unknown>, traceId: string): string {
  const traceparent = typeof event.traceparent === 'string' ? event.traceparent : '';
  const [, , spanId = '', flags = '01'] = traceparent.split('-');
  return `${traceId}-${spanId}-${parseInt(flags, 16) & 1}`;
}

/** The trace id an event was sent with, from its traceparent (a 16-hex B3 id was padded with zeros). */
export function traceIdOf(event: CloudEvent<unknown>): string {
  const traceparent = typeof event.traceparent === 'string' ? event.traceparent : '';
  const id = traceparent.split('-')[1] ?? '';
  return /^0{16}[0-9a-f]{16}$/.test(id) ? id.slice(16) : id;
}
