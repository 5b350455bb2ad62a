/** W3C Trace Context for what we send: a Sleuth 16-hex trace id is left-padded to the 32 hex W3C needs. */
import { randomBytes } from 'node:crypto';

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

export function traceparentFor(traceId: string, spanId: string = newSpanId()): string {
  return `00-${traceId.padStart(32, '0')}-${spanId}-01`;
}
