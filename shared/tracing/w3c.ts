/**
 * W3C Trace Context `traceparent`: `{version}-{trace-id}-{parent-id}-{flags}`. Parsed as the spec says
 * (version ff is invalid, version 00 has exactly four fields, ids are lowercase and not all zeros);
 * invalid forms are ignored. A Sleuth 16-hex trace id is left-padded to the 32 hex W3C needs.
 */
import { randomBytes } from 'node:crypto';

export const TRACEPARENT_HEADER = 'traceparent';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;

export function parseTraceparent(value: string): { traceId: string; spanId: string } | undefined {
  const match = TRACEPARENT.exec(value);
  if (!match?.[2] || !match[3]) return undefined;
  const [, version, traceId, spanId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return undefined;
  return { traceId, spanId };
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

export function traceparentFor(traceId: string, spanId: string = newSpanId()): string {
  return `00-${traceId.padStart(32, '0')}-${spanId}-01`;
}
