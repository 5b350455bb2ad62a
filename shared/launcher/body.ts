/**
 * Reads the request body ourselves, before the framework does: the stock framework buffers up to 1024 MB,
 * we stop at MAX_BODY_BYTES and answer 413 without buffering more. A declared Content-Length over the
 * limit, or a compressed body, is refused before a byte of the body is read, and before `100 Continue`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import getRawBody from 'raw-body';
import { AppError, httpError } from '../errors';
import type { BodyBudget } from './inflight';

/** Set by the server's 'checkContinue' handler: the client waits for `100 Continue` before it sends the body. */
export interface AwaitingContinue extends IncomingMessage {
  awaitsContinue?: boolean;
}

/**
 * The body, or undefined when the request has none. With a `budget`, the body's bytes are reserved first
 * (its Content-Length, or `limit` without one) and released when the answer is done or the connection goes;
 * a body that does not fit is 503 server.busy, unread.
 */
export async function receiveBody(
  req: AwaitingContinue,
  res: ServerResponse,
  limit: number,
  budget?: BodyBudget,
): Promise<Buffer | undefined> {
  if (!hasBody(req)) return undefined;
  const refusal = refuseUnread(req, limit);
  if (refusal) throw refusal;
  if (budget) {
    const declared = req.headers['content-length'];
    const release = budget.reserve(declared === undefined ? limit : Number(declared));
    if (!release) throw httpError('server.busy', { headers: { 'Retry-After': '1' } });
    res.once('close', release);
  }
  if (req.awaitsContinue) res.writeContinue();
  try {
    return await getRawBody(req, { limit, length: req.headers['content-length'] });
  } catch (err) {
    throw toBodyError(err);
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function refuseUnread(req: IncomingMessage, limit: number): AppError | undefined {
  const encoding = req.headers['content-encoding'];
  // Compressed bodies could expand past the limit after we counted them.
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return httpError('http.mediatype.unsupported');
  if (Number(req.headers['content-length']) > limit) return httpError('http.body.toolarge');
  return undefined;
}

function toBodyError(err: unknown): AppError {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return httpError('http.body.toolarge', { cause: err });
  return httpError('http.body.invalid', { cause: err });
}
