/**
 * Zipkin B3 propagation, as Spring Cloud Sleuth sends it: `X-B3-TraceId` (+ `X-B3-SpanId`) or the single
 * `b3` header (`{traceId}-{spanId}[-{sampled}[-{parentSpanId}]]`). Trace ids are 16 or 32 lowercase hex,
 * never all zeros; anything else is not a trace id and must not be echoed back.
 */
import { randomBytes } from 'node:crypto';

export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_SINGLE_HEADER = 'b3';

const B3_TRACE_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const B3_SINGLE = /^([0-9a-f]{16}|[0-9a-f]{32})-([0-9a-f]{16})(?:-([01d])(?:-([0-9a-f]{16}))?)?$/;
const ALL_ZEROS = /^0+$/;

export function isValidB3TraceId(value: string): boolean {
  return B3_TRACE_ID.test(value) && !ALL_ZEROS.test(value);
}

export function isValidSpanId(value: string): boolean {
  return SPAN_ID.test(value) && !ALL_ZEROS.test(value);
}

/** The trace and span of a valid single `b3` header; undefined for anything else (including sampling-only forms). */
export function parseB3Single(value: string): { traceId: string; spanId: string } | undefined {
  const match = B3_SINGLE.exec(value);
  if (!match?.[1] || !match[2] || !isValidB3TraceId(match[1]) || !isValidSpanId(match[2])) return undefined;
  return { traceId: match[1], spanId: match[2] };
}

/** A fresh 128-bit trace id (32 lowercase hex). */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}
