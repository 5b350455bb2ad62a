export { defineFunction, type DefineOptions, type FunctionApp, type FunctionParts } from './define-function';
export {
  createPipeline,
  TRACE_RESPONSE_HEADER,
  type PipelineOptions,
  type RequestPipeline,
  type WithAbortSignal,
} from './pipeline';
export { requireJsonContentType, requireMediaType } from './media';
export { LIVENESS_PATH, METRICS_PATH, READINESS_PATH } from './probes';
export { Readiness } from './readiness';
export { clientAddress, trustedProxies } from './client-ip';
export type { HttpResult, IncomingRequest, Route } from './types';
export { staticRoute, type StaticContent } from './static';
