export { defineFunction, type DefineOptions, type FunctionApp, type FunctionParts } from './define-function';
export { createHttpFunction, TRACE_RESPONSE_HEADER, type WithAbortSignal } from './pipeline';
export { requireJsonContentType } from './media';
export { LIVENESS_PATH, READINESS_PATH } from './probes';
export { Readiness } from './readiness';
export { errorResult, writeResult } from './respond';
export { logWhenDone } from './access-log';
export type { HttpResult, IncomingRequest, Route } from './types';
export { staticRoute, type StaticContent } from './static';
