/**
 * Turns a route table into a functions-framework HTTP function: trace context, the X-B3-TraceId response
 * header, the access log line, routing, and the one error sink. Works the same under the stock CLI and
 * under our launcher.
 */
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { httpError } from '../errors';
import type { Logger } from '../logging';
import { runWithTrace, traceFromHeaders } from '../tracing';
import { logWhenDone } from './access-log';
import { errorResult, writeResult } from './respond';
import { findRoute } from './router';
import type { HttpResult, IncomingRequest, Route } from './types';

export const TRACE_RESPONSE_HEADER = 'X-B3-TraceId';
const EMPTY = Buffer.alloc(0);

/** Our launcher hands each request's AbortSignal over on the request, like the framework's `rawBody`. */
export interface WithAbortSignal {
  abortSignal?: AbortSignal;
}

export interface RequestObserver {
  /** Paths whose requests are not observed (probes, /metrics). */
  readonly unobserved: ReadonlySet<string>;
  observe(route: string, method: string, status: number, seconds: number): void;
}

const UNMATCHED = 'unmatched';

export function createHttpFunction(routes: readonly Route[], logger: Logger, observer?: RequestObserver): HttpFunction {
  return (req, res) => {
    const trace = traceFromHeaders(req.headers);
    res.setHeader(TRACE_RESPONSE_HEADER, trace.traceId);
    return runWithTrace(trace, async () => {
      let routeLabel = UNMATCHED;
      logWhenDone(req, res, logger, observer && ((seconds) => {
        if (!observer.unobserved.has(routeLabel)) observer.observe(routeLabel, req.method, res.statusCode, seconds);
      }));
      if (trace.rejectedIncoming !== undefined) {
        logger.warn({ tracing: { rejected_trace_id: trace.rejectedIncoming } }, 'invalid incoming X-B3-TraceId replaced');
      }
      let result: HttpResult;
      try {
        const request = toIncomingRequest(req, (req as WithAbortSignal).abortSignal ?? abortWhenClientGone(res));
        // A known path is its own label; unknown paths share one, so callers cannot blow up cardinality.
        if (routes.some((route) => route.path === request.path)) routeLabel = request.path;
        result = await findRoute(routes, request.method, request.path).handle(request);
      } catch (err) {
        result = errorResult(err, trace.traceId, logger);
      }
      writeResult(res, result);
    });
  };
}

/** Under the stock CLI there is no launcher: the one abort left is the client going away before the answer. */
function abortWhenClientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(httpError('http.client.closed'));
  });
  return controller.signal;
}

function toIncomingRequest(req: Request, signal: AbortSignal): IncomingRequest {
  const url = req.originalUrl || req.url || '/';
  const queryAt = url.indexOf('?');
  return {
    method: req.method,
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    headers: req.headers,
    // The framework (or our launcher) keeps the unparsed bytes here; we parse them ourselves.
    body: Buffer.isBuffer(req.rawBody) ? req.rawBody : EMPTY,
    signal,
  };
}
