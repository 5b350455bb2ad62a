/**
 * The trace of the request being served, carried through async calls with AsyncLocalStorage so that log
 * lines and outgoing calls can read it without passing it down by hand. Incoming precedence: the single
 * `b3` header, then `X-B3-TraceId`, then W3C `traceparent`; when none is valid a new trace starts.
 * The caller's sampling decision and its `tracestate` travel with the trace to every call we make.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import {
  B3_FLAGS_HEADER,
  B3_SAMPLED_HEADER,
  B3_SINGLE_HEADER,
  B3_SPAN_ID_HEADER,
  B3_TRACE_ID_HEADER,
  b3Sampled,
  b3SamplingOnly,
  isValidB3TraceId,
  isValidSpanId,
  newTraceId,
  parseB3Single,
} from './b3';
import {
  acceptTracestate,
  newSpanId,
  parseTraceparent,
  TRACEPARENT_HEADER,
  traceparentFor,
  TRACESTATE_HEADER,
} from './w3c';

export interface TraceContext {
  readonly traceId: string;
  /** This service's span for the request. */
  readonly spanId: string;
  /** The caller's span, when one arrived. */
  readonly parentSpanId?: string;
  /** The caller's sampling decision, honoured on every call we make; sampled when none arrived. */
  readonly sampled: boolean;
  /** The caller's W3C `tracestate`, forwarded unchanged; only with a traceparent of the same trace. */
  readonly tracestate?: string;
  /** What arrived in place of a valid id, escaped and truncated for the log; never echoed. */
  readonly rejectedIncoming?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();
const MAX_LOGGED_CHARS = 64;

export function traceFromHeaders(headers: IncomingHttpHeaders): TraceContext {
  const spanId = newSpanId();
  const rejected: string[] = [];
  const traceparent = first(headers[TRACEPARENT_HEADER]);
  const w3c = traceparent === undefined ? undefined : parseTraceparent(traceparent);
  // tracestate belongs to the traceparent it came with: kept only when that is the trace we continue.
  const withState = (trace: Omit<TraceContext, 'spanId'>): TraceContext => {
    const state =
      w3c?.traceId === trace.traceId.padStart(32, '0')
        ? acceptTracestate(joined(headers[TRACESTATE_HEADER]))
        : undefined;
    return { ...trace, spanId, ...(state === undefined ? {} : { tracestate: state }) };
  };
  let sampled = true;
  const b3 = first(headers[B3_SINGLE_HEADER]);
  if (b3 !== undefined) {
    const parsed = parseB3Single(b3);
    if (parsed) return withState({ traceId: parsed.traceId, parentSpanId: parsed.spanId, sampled: parsed.sampled });
    const decision = b3SamplingOnly(b3);
    if (decision === undefined) rejected.push(`b3=${b3}`);
    else sampled = decision;
  }
  const b3TraceId = first(headers[B3_TRACE_ID_HEADER]);
  if (b3TraceId !== undefined) {
    if (isValidB3TraceId(b3TraceId)) {
      const parent = first(headers[B3_SPAN_ID_HEADER]);
      const decision = b3Sampled(first(headers[B3_SAMPLED_HEADER]), first(headers[B3_FLAGS_HEADER]));
      return withState({
        traceId: b3TraceId,
        sampled: decision,
        ...(parent !== undefined && isValidSpanId(parent) ? { parentSpanId: parent } : {}),
      });
    }
    rejected.push(b3TraceId);
  }
  if (w3c) return withState({ traceId: w3c.traceId, parentSpanId: w3c.spanId, sampled: w3c.sampled });
  if (traceparent !== undefined) rejected.push(`traceparent=${traceparent}`);
  const fresh = { traceId: newTraceId(), spanId, sampled };
  return rejected.length === 0 ? fresh : { ...fresh, rejectedIncoming: escapeForLog(rejected.join(' ')) };
}

/** A trace of our own (background work such as a key refresh): sampled, no parent. */
export function newTrace(): TraceContext {
  return { traceId: newTraceId(), spanId: newSpanId(), sampled: true };
}

export function runWithTrace<T>(trace: TraceContext, fn: () => T): T {
  return storage.run(trace, fn);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/**
 * Headers that carry the current trace on a call we make (B3 and W3C), with the caller's sampling decision
 * and tracestate; nothing else of the caller's.
 */
export function outgoingTraceHeaders(): Record<string, string> {
  const trace = storage.getStore();
  if (!trace) return {};
  const child = newSpanId();
  const sampled = trace.sampled ? '1' : '0';
  return {
    'X-B3-TraceId': trace.traceId,
    'X-B3-SpanId': child,
    'X-B3-ParentSpanId': trace.spanId,
    'X-B3-Sampled': sampled,
    b3: `${trace.traceId}-${child}-${sampled}-${trace.spanId}`,
    traceparent: traceparentFor(trace.traceId, child, trace.sampled),
    ...(trace.tracestate === undefined ? {} : { tracestate: trace.tracestate }),
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Several tracestate headers are one list (W3C Trace Context, 3.3.1.1). */
function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function escapeForLog(value: string): string {
  return JSON.stringify(value.slice(0, MAX_LOGGED_CHARS)).slice(1, -1);
}
