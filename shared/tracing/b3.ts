/**
 * Zipkin B3 propagation, as Spring Cloud Sleuth sends it: `X-B3-TraceId` (+ `X-B3-SpanId`) or the single
 * `b3` header (`{traceId}-{spanId}[-{sampled}[-{parentSpanId}]]`). Trace ids are 16 or 32 lowercase hex,
 * never all zeros; anything else is not a trace id and must not be echoed back.
 */
import { randomHex } from './random-id';

export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_SINGLE_HEADER = 'b3';
export const B3_SAMPLED_HEADER = 'x-b3-sampled';
export const B3_FLAGS_HEADER = 'x-b3-flags';

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

/**
 * The trace, span and sampling decision of a valid single `b3` header; undefined for anything else
 * (including sampling-only forms, see `b3SamplingOnly`). No decision in the header means sampled.
 */
export function parseB3Single(value: string): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const match = B3_SINGLE.exec(value);
  if (!match?.[1] || !match[2] || !isValidB3TraceId(match[1]) || !isValidSpanId(match[2])) return undefined;
  return { traceId: match[1], spanId: match[2], sampled: match[3] !== '0' };
}

/** The decision of a sampling-only single `b3` header (`0`, `1` or `d`), or undefined when it is not one. */
export function b3SamplingOnly(value: string): boolean | undefined {
  return /^[01d]$/.test(value) ? value !== '0' : undefined;
}

/**
 * The multi-header decision: `X-B3-Flags: 1` (debug) means sampled; `X-B3-Sampled` is `1`/`0` (older
 * senders write `true`/`false`). Absent or unreadable means sampled: we record unless told not to.
 */
export function b3Sampled(sampled: string | undefined, flags: string | undefined): boolean {
  if (flags === '1') return true;
  const decision = sampled?.trim().toLowerCase();
  return decision !== '0' && decision !== 'false';
}

/** A fresh 128-bit trace id (32 lowercase hex). */
export function newTraceId(): string {
  return randomHex(16);
}
