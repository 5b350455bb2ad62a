/**
 * The one request pipeline: trace context, the X-B3-TraceId answer header, the access-log line, request
 * metrics, routing and the one error sink, each once per request. It works the same under the stock CLI
 * and under our launcher, which only bounds requests and hands the ones it refuses (body limit, deadline,
 * drain) to `refuse`. Probes and /metrics never reach it (probes.ts).
 */
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { httpError } from '../errors';
import type { Logger } from '../logging';
import { runWithTrace, traceFromHeaders } from '../tracing';
import { logWhenDone } from './access-log';
import { trustedProxies } from './client-ip';
import { errorResult, writeResult } from './respond';
import { findRoute, templateOf } from './router';
import type { HttpResult, IncomingRequest, Route } from './types';

export const TRACE_RESPONSE_HEADER = 'X-B3-TraceId';
const EMPTY = Buffer.alloc(0);
const UNMATCHED = 'unmatched';

/** Our launcher hands each request's AbortSignal over on the request, like the framework's `rawBody`. */
export interface WithAbortSignal {
  abortSignal?: AbortSignal;
  /** When the signal aborts for the request's budget, on performance.now()'s clock. */
  deadlineAt?: number;
}

export interface RequestPipeline {
  /** Routes the request and answers it: the functions-framework HttpFunction contract. */
  readonly handle: HttpFunction;
  /** Answers a request its host refused before the function ran, with `err` through the error sink. */
  refuse(req: IncomingMessage, res: ServerResponse, err: unknown): void;
}

export interface PipelineOptions {
  /** Request metrics: called once per request, when its answer is done or its client gone. */
  readonly observe?: (route: string, method: string, status: number, seconds: number) => void;
  readonly trustedProxies?: BlockList;
}

export function createPipeline(
  routes: readonly Route[],
  logger: Logger,
  options: PipelineOptions = {},
): RequestPipeline {
  const proxies = options.trustedProxies ?? trustedProxies();
  // Paths holding a credential (an unsubscribe token): logged by their template. Known once, not per request.
  const secretTemplates = new Set(routes.filter((known) => known.secretPath).map((known) => known.path));
  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    answer: (path: string) => Promise<HttpResult> | HttpResult,
    annotations: Record<string, unknown> = {},
  ): Promise<void> => {
    const trace = traceFromHeaders(req.headers);
    res.setHeader(TRACE_RESPONSE_HEADER, trace.traceId);
    return runWithTrace(trace, async () => {
      // Worked out once: the route label, the access line and the routed request all use it.
      const path = pathOf(req);
      // A known path is labelled by its route's path (a template for one with ids in it); unknown paths share
      // one label, so callers cannot blow up cardinality.
      const route = templateOf(routes, path) ?? UNMATCHED;
      const { observe } = options;
      logWhenDone(req, res, logger, {
        trace,
        path: secretTemplates.has(route) ? route : path,
        trustedProxies: proxies,
        fields: () => annotations,
        ...(observe
          ? { onDone: (seconds: number) => observe(route, req.method ?? 'GET', res.statusCode, seconds) }
          : {}),
      });
      if (trace.rejectedIncoming !== undefined) {
        logger.warn(
          { tracing: { rejected_trace_id: trace.rejectedIncoming } },
          'invalid incoming X-B3-TraceId replaced',
        );
      }
      let result: HttpResult;
      try {
        result = await answer(path);
      } catch (err) {
        result = errorResult(err, trace.traceId, logger);
      }
      writeResult(res, result);
    });
  };
  return {
    handle: (req, res) => {
      const annotations: Record<string, unknown> = {};
      return serve(
        req,
        res,
        (path) => {
          const signal = (req as WithAbortSignal).abortSignal ?? abortWhenClientGone(res);
          const { route, params } = findRoute(routes, req.method ?? 'GET', path);
          return route.handle(
            toIncomingRequest(req, path, params, signal, (fields) => Object.assign(annotations, fields)),
          );
        },
        annotations,
      );
    },
    refuse: (req, res, err) =>
      void serve(req, res, () => {
        throw err;
      }),
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

/** What the client asked for: Express keeps it in `originalUrl`; under node:http there is only `url`. */
function urlOf(req: IncomingMessage): string {
  return (req as Partial<Request>).originalUrl || req.url || '/';
}

function pathOf(req: IncomingMessage): string {
  const url = urlOf(req);
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
}

/** The query string's parameters (empty without one). */
function queryOf(req: IncomingMessage): URLSearchParams {
  const url = urlOf(req);
  const queryAt = url.indexOf('?');
  return new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
}

function toIncomingRequest(
  req: Request,
  path: string,
  params: Readonly<Record<string, string>>,
  signal: AbortSignal,
  annotate: NonNullable<IncomingRequest['annotate']>,
): IncomingRequest {
  let query: URLSearchParams | undefined;
  return {
    annotate,
    method: req.method,
    path,
    params,
    // Parsed on first read, like headersDistinct: only a route that reads the query pays for it.
    get query() {
      return (query ??= queryOf(req));
    },
    headers: req.headers,
    // Node builds it on first read: only a route that asks (send-mail, for an Idempotency-Key) pays for it.
    get headersDistinct() {
      return req.headersDistinct;
    },
    // The framework (or our launcher) keeps the unparsed bytes here; we parse them ourselves.
    body: Buffer.isBuffer(req.rawBody) ? req.rawBody : EMPTY,
    signal,
    deadlineAt: (req as WithAbortSignal).deadlineAt,
  };
}
