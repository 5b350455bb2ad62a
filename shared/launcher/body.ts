/**
 * Reads the request body ourselves, before the framework does: the stock framework buffers up to 1024 MB,
 * we stop at MAX_BODY_BYTES and answer 413 without buffering more. A declared Content-Length over the
 * limit is refused before a byte of the body is read.
 */
import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { AppError, httpError } from '../errors';

export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    // Compressed bodies could expand past the limit after we counted them.
    throw httpError('http.mediatype.unsupported');
  }
  try {
    return await getRawBody(req, { limit, length: req.headers['content-length'] });
  } catch (err) {
    throw toBodyError(err);
  }
}

function toBodyError(err: unknown): AppError {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return httpError('http.body.toolarge', { cause: err });
  return httpError('http.body.invalid', { cause: err });
}
