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
  const declared = req.headers['content-length'];
  if (budget) {
    const release = budget.reserve(declared === undefined ? limit : Number(declared));
    if (!release) throw httpError('server.busy', { headers: { 'Retry-After': '1' } });
    res.once('close', release);
  }
  if (req.awaitsContinue) res.writeContinue();
  try {
    // With a declared length (within the limit: checked above) the bytes go straight into one buffer of that
    // size; joining the socket's chunks afterwards would hold a large body twice.
    if (declared !== undefined && req.headers['transfer-encoding'] === undefined)
      return await readDeclared(req, Number(declared));
    return await getRawBody(req, { limit });
  } catch (err) {
    throw toBodyError(err);
  }
}

/** Node's parser delivers exactly the declared bytes, or the request aborts (an error here). */
async function readDeclared(req: IncomingMessage, length: number): Promise<Buffer> {
  const body = Buffer.allocUnsafe(length);
  let at = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) at += chunk.copy(body, at);
  if (at !== length) throw new Error(`request body ended after ${at} of ${length} declared bytes`);
  return body;
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
