/**
 * The trace of the request being served, carried through async calls with AsyncLocalStorage so that log
 * lines and outgoing calls can read it without passing it down by hand.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { B3_TRACE_ID_HEADER, isValidB3TraceId, newTraceId } from './b3';

export interface TraceContext {
  readonly traceId: string;
  /** What arrived in place of a valid id, escaped and truncated for the log; never echoed. */
  readonly rejectedIncoming?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();
const MAX_LOGGED_CHARS = 64;

/** Picks the incoming trace id up when it is valid, otherwise makes a new one. */
export function traceFromHeaders(headers: IncomingHttpHeaders): TraceContext {
  const incoming = headers[B3_TRACE_ID_HEADER];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  if (value !== undefined && isValidB3TraceId(value)) {
    return { traceId: value };
  }
  const traceId = newTraceId();
  return value === undefined ? { traceId } : { traceId, rejectedIncoming: escapeForLog(value) };
}

export function runWithTrace<T>(trace: TraceContext, fn: () => T): T {
  return storage.run(trace, fn);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

function escapeForLog(value: string): string {
  return JSON.stringify(value.slice(0, MAX_LOGGED_CHARS)).slice(1, -1);
}

/** Headers that carry the current trace on a call we make. */
export function outgoingTraceHeaders(): Record<string, string> {
  const trace = storage.getStore();
  return trace ? { 'X-B3-TraceId': trace.traceId } : {};
}
