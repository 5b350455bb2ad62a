/**
 * W3C Trace Context `traceparent`: `{version}-{trace-id}-{parent-id}-{flags}`. Parsed as the spec says
 * (version ff is invalid, version 00 has exactly four fields, ids are lowercase and not all zeros);
 * invalid forms are ignored. A Sleuth 16-hex trace id is left-padded to the 32 hex W3C needs.
 */
import { randomHex } from './random-id';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';
/** The spec lets a receiver drop a longer tracestate rather than forward part of it. */
const MAX_TRACESTATE_CHARS = 512;
const TRACESTATE = /^[\x20-\x7e]*$/;

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;

/** Trace, parent span and the `sampled` bit of the flags (bit 0). */
export function parseTraceparent(value: string): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const match = TRACEPARENT.exec(value);
  if (!match?.[2] || !match[3]) return undefined;
  const [, version, traceId, spanId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(match[4] ?? '00', 16) & 1) === 1 };
}

/** A tracestate to forward unchanged, or undefined when it is empty, too long or not printable ASCII. */
export function acceptTracestate(value: string | undefined): string | undefined {
  if (value === undefined || value.length > MAX_TRACESTATE_CHARS || !TRACESTATE.test(value)) return undefined;
  return value.trim() === '' ? undefined : value;
}

export function newSpanId(): string {
  return randomHex(8);
}

/** Version 00 with the sampled flag as decided upstream (`01` or `00`). */
export function traceparentFor(traceId: string, spanId: string = newSpanId(), sampled = true): string {
  return `00-${traceId.padStart(32, '0')}-${spanId}-${sampled ? '01' : '00'}`;
}
