/**
 * The request listener our launcher puts in front of the framework's express app: body limit, request
 * deadline, and the trace id on its own answers. The framework still routes to the function.
 */
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { httpError } from '../errors';
import { errorResult, logWhenDone, TRACE_RESPONSE_HEADER, writeResult, type FunctionApp } from '../http';
import { runWithTrace, traceFromHeaders } from '../tracing';
import { hasBody, readBody } from './body';

export interface ListenerLimits {
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
}

/** The parts of express's request that body-parser reads to know the body was handled already. */
interface PreParsed extends IncomingMessage {
  rawBody?: Buffer;
  _body?: boolean;
}

export function createRequestListener(app: FunctionApp, limits: ListenerLimits): RequestListener {
  functions.http(app.target, app.handle);
  const framework = getTestServer(app.target).listeners('request')[0] as RequestListener;

  return (req: PreParsed, res: ServerResponse) => {
    const deadline = setTimeout(() => answer(req, res, app, httpError('http.request.timeout')), limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(deadline));
    if (!hasBody(req)) {
      framework(req, res);
      return;
    }
    readBody(req, limits.maxBodyBytes).then(
      (body) => {
        req.rawBody = body;
        req._body = true; // body-parser skips requests marked as parsed
        framework(req, res);
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
