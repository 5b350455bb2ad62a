/**
 * Zipkin B3 trace ids, as Spring Cloud Sleuth sends them: 16 or 32 lowercase hex, never all zeros.
 * Anything else is not a trace id and must not be echoed back.
 */
import { randomBytes } from 'node:crypto';

export const B3_TRACE_ID_HEADER = 'x-b3-traceid';

const B3_TRACE_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const ALL_ZEROS = /^0+$/;

export function isValidB3TraceId(value: string): boolean {
  return B3_TRACE_ID.test(value) && !ALL_ZEROS.test(value);
}

/** A fresh 128-bit trace id (32 lowercase hex). */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}
