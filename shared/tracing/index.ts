export { B3_TRACE_ID_HEADER, isValidB3TraceId, newTraceId, parseB3Single } from './b3';
export {
  currentTrace,
  newTrace,
  outgoingTraceHeaders,
  runWithTrace,
  traceFromHeaders,
  type TraceContext,
} from './context';
export { newSpanId, parseTraceparent, traceparentFor } from './w3c';
