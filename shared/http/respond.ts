/** Writes results and errors to a Node response. The only code that touches `res` besides the launcher. */
import type { ServerResponse } from 'node:http';
import { toErrorResponse } from '../errors';
import type { Logger } from '../logging';
import type { HttpResult } from './types';

const BASE_HEADERS = Object.entries({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });

export function writeResult(res: ServerResponse, result: HttpResult): void {
  // A deadline may have answered already; the late result is dropped.
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = result.status;
  // The result's own headers may replace a base header (the docs' static files set Cache-Control).
  for (const [name, value] of BASE_HEADERS) res.setHeader(name, value);
  if (result.headers) for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
  if (result.json !== undefined) {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(result.json));
  } else if (result.raw) {
    res.setHeader('Content-Type', result.raw.contentType);
    res.end(result.raw.data);
  } else {
    res.end();
  }
}

export function errorResult(err: unknown, requestId: string, logger: Logger): HttpResult {
  const { status, headers, body } = toErrorResponse(err, requestId, logger);
  return { status, headers, json: body };
}
