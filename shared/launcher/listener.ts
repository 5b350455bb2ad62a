/**
 * The request listener of our launcher: body limit, request deadline, the trace id on its own answers,
 * then the function itself. The function keeps the framework's HttpFunction contract (and registers with
 * it in its index.ts for the stock CLI); here it runs straight on node:http, because everything the
 * framework's express stack adds for HTTP functions (body parsing, routing) the launcher and the function
 * already do, and that stack costs more than our whole shared layer (docs/performance.md).
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { httpError } from '../errors';
import { errorResult, logWhenDone, TRACE_RESPONSE_HEADER, writeResult, type FunctionApp } from '../http';
import { runWithTrace, traceFromHeaders } from '../tracing';
import { hasBody, readBody } from './body';

export interface ListenerLimits {
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
}

/** The framework's contract hands the raw body to the function as `rawBody`. */
interface WithRawBody extends IncomingMessage {
  rawBody?: Buffer;
}

export function createRequestListener(app: FunctionApp, limits: ListenerLimits): RequestListener {
  const invoke = (req: IncomingMessage, res: ServerResponse): void => {
    void app.handle(req as Request, res as Response);
  };

  return (req: WithRawBody, res: ServerResponse) => {
    const deadline = setTimeout(() => answer(req, res, app, httpError('http.request.timeout')), limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(deadline));
    if (!hasBody(req)) {
      invoke(req, res);
      return;
    }
    readBody(req, limits.maxBodyBytes).then(
      (body) => {
        req.rawBody = body;
        invoke(req, res);
      },
      (err: unknown) => {
        // The rest of the body stays unread; closing is cheaper than draining it.
        res.setHeader('Connection', 'close');
        answer(req, res, app, err);
      },
    );
  };
}

function answer(req: IncomingMessage, res: ServerResponse, app: FunctionApp, err: unknown): void {
  if (res.headersSent) return;
  const trace = traceFromHeaders(req.headers);
  runWithTrace(trace, () => {
    logWhenDone(req, res, app.logger);
    res.setHeader(TRACE_RESPONSE_HEADER, trace.traceId);
    writeResult(res, errorResult(err, trace.traceId, app.logger));
  });
}
