/**
 * The trace of the request being served, carried through async calls with AsyncLocalStorage so that log
 * lines and outgoing calls can read it without passing it down by hand. Incoming precedence: the single
 * `b3` header, then `X-B3-TraceId`, then W3C `traceparent`; when none is valid a new trace starts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { B3_SINGLE_HEADER, B3_SPAN_ID_HEADER, B3_TRACE_ID_HEADER, isValidB3TraceId, isValidSpanId, newTraceId, parseB3Single } from './b3';
import { newSpanId, parseTraceparent, TRACEPARENT_HEADER, traceparentFor } from './w3c';

export interface TraceContext {
  readonly traceId: string;
  /** This service's span for the request. */
  readonly spanId: string;
  /** The caller's span, when one arrived. */
  readonly parentSpanId?: string;
  /** What arrived in place of a valid id, escaped and truncated for the log; never echoed. */
  readonly rejectedIncoming?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();
const MAX_LOGGED_CHARS = 64;

export function traceFromHeaders(headers: IncomingHttpHeaders): TraceContext {
  const spanId = newSpanId();
  const rejected: string[] = [];
  const b3 = first(headers[B3_SINGLE_HEADER]);
  if (b3 !== undefined) {
    const parsed = parseB3Single(b3);
    if (parsed) return { traceId: parsed.traceId, spanId, parentSpanId: parsed.spanId };
    if (!/^[01d]$/.test(b3)) rejected.push(`b3=${b3}`);
  }
  const b3TraceId = first(headers[B3_TRACE_ID_HEADER]);
  if (b3TraceId !== undefined) {
    if (isValidB3TraceId(b3TraceId)) {
      const parent = first(headers[B3_SPAN_ID_HEADER]);
      return { traceId: b3TraceId, spanId, ...(parent !== undefined && isValidSpanId(parent) ? { parentSpanId: parent } : {}) };
    }
    rejected.push(b3TraceId);
  }
  const traceparent = first(headers[TRACEPARENT_HEADER]);
  if (traceparent !== undefined) {
    const parsed = parseTraceparent(traceparent);
    if (parsed) return { traceId: parsed.traceId, spanId, parentSpanId: parsed.spanId };
    rejected.push(`traceparent=${traceparent}`);
  }
  const fresh = { traceId: newTraceId(), spanId };
  return rejected.length === 0 ? fresh : { ...fresh, rejectedIncoming: escapeForLog(rejected.join(' ')) };
}

export function runWithTrace<T>(trace: TraceContext, fn: () => T): T {
  return storage.run(trace, fn);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** Headers that carry the current trace on a call we make (B3 and W3C); never anything of the caller's. */
export function outgoingTraceHeaders(): Record<string, string> {
  const trace = storage.getStore();
  if (!trace) return {};
  const child = newSpanId();
  return {
    'X-B3-TraceId': trace.traceId,
    'X-B3-SpanId': child,
    'X-B3-ParentSpanId': trace.spanId,
    'X-B3-Sampled': '1',
    b3: `${trace.traceId}-${child}-1-${trace.spanId}`,
    traceparent: traceparentFor(trace.traceId, child),
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function escapeForLog(value: string): string {
  return JSON.stringify(value.slice(0, MAX_LOGGED_CHARS)).slice(1, -1);
}
