/**
 * The request listener of our launcher. It only bounds requests: drain refusal, body limit, request
 * deadline, connection ownership. Everything else (trace, access log, error answer, request metrics) is
 * the function's one pipeline (shared/http/pipeline.ts), which also answers what the launcher refuses.
 * Probes and /metrics are answered first, before any bounding or pipeline. The function keeps the
 * framework's HttpFunction contract (and registers with it in its index.ts for the stock CLI); here it runs
 * straight on node:http, because everything the framework's express stack adds for HTTP functions (body
 * parsing, routing) the launcher and the function already do, and that stack costs more than our whole
 * shared layer (docs/performance.md).
 *
 * Each request gets an AbortSignal (deadline, client gone, drain). Until the function is invoked an abort
 * is a refusal and the function never runs; once it runs, only the function answers.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { httpError, isAppError } from '../errors';
import type { FunctionApp, WithAbortSignal } from '../http';
import { receiveBody, type AwaitingContinue } from './body';
import { ownsConnection } from './connection';
import { Exchanges, type Exchange } from './exchanges';
import { BodyBudget } from './inflight';

export interface ListenerLimits {
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  /** The instance's in-flight body budget (MAX_INFLIGHT_BODY_BYTES); none when absent. */
  readonly maxInflightBodyBytes?: number;
}

/** The limits from the common settings, as our launcher and make dev's server both apply them. */
export function listenerLimits(
  config: Readonly<{ MAX_BODY_BYTES: number; REQUEST_TIMEOUT_SECONDS: number; MAX_INFLIGHT_BODY_BYTES: number }>,
): ListenerLimits {
  return {
    maxBodyBytes: config.MAX_BODY_BYTES,
    requestTimeoutMs: config.REQUEST_TIMEOUT_SECONDS * 1000,
    maxInflightBodyBytes: config.MAX_INFLIGHT_BODY_BYTES,
  };
}

/** The framework's contract hands the raw body to the function as `rawBody`; ours adds the signal. */
interface LaunchedRequest extends IncomingMessage, WithAbortSignal {
  rawBody?: Buffer;
}

/** Serves 'request' and 'checkContinue' alike; `exchanges` lets the launcher's drain see every request. */
export function createRequestListener(
  app: FunctionApp,
  limits: ListenerLimits,
  exchanges = new Exchanges(),
): RequestListener {
  const budget = limits.maxInflightBodyBytes === undefined ? undefined : new BodyBudget(limits.maxInflightBodyBytes);
  return (req: LaunchedRequest, res: ServerResponse) => {
    // Once draining, every answer closes its connection, a probe's too.
    if (exchanges.draining) res.setHeader('Connection', 'close');
    if (app.answerProbe(req, res)) return;
    const exchange = exchanges.open(req, res, limits.requestTimeoutMs);
    req.abortSignal = exchange.signal;
    req.deadlineAt = exchange.deadlineAt;
    if (exchanges.draining) {
      // Arrived after SIGTERM on a connection opened before it: refused before anything runs.
      refuse(req, res, app, httpError('http.server.draining'));
      return;
    }
    exchange.signal.addEventListener('abort', () => {
      if (!exchange.invoked) refuse(req, res, app, exchange.signal.reason);
    });
    // A function may read larger bodies than MAX_BODY_BYTES (feedback's reports): its own limit wins.
    void dispatch(req, res, app, app.maxBodyBytes ?? limits.maxBodyBytes, exchange, budget);
  };
}

async function dispatch(
  req: LaunchedRequest,
  res: ServerResponse,
  app: FunctionApp,
  limit: number,
  exchange: Exchange,
  budget: BodyBudget | undefined,
): Promise<void> {
  try {
    const body = await receiveBody(req, res, limit, budget);
    if (body) req.rawBody = body;
  } catch (err) {
    refuse(req, res, app, err);
    return;
  }
  if (!(await ownsConnection(req, res)) || exchange.signal.aborted) return;
  exchange.invoke(
    () => app.pipeline.handle(req as Request, res as Response),
    (err: unknown) => app.logger.error({ err }, 'unhandled rejection'),
  );
}

/**
 * A refusal is answered once, by the pipeline, and closes the connection: the rest of the body, and
 * anything behind it, stays unread. A refusal after the answer started, or for a client gone, has no one to tell.
 *
 * Except 503 server.busy for a body already on its way: closing on a client that is still sending resets
 * the connection, and the client loses the answer with it. That body (within the body limit, or it would be
 * 413) is dropped as it arrives, never held, and the connection stays open: the client reads 503 and
 * Retry-After instead of a reset.
 */
function refuse(req: AwaitingContinue, res: ServerResponse, app: FunctionApp, err: unknown): void {
  if (res.headersSent || req.socket.destroyed || (isAppError(err) && err.code === 'http.client.closed')) return;
  if (isAppError(err) && err.code === 'server.busy' && !req.awaitsContinue) req.resume();
  else res.setHeader('Connection', 'close');
  app.pipeline.refuse(req, res, err);
}
