/**
 * The single error sink: any thrown value becomes a status, headers and the error body
 * `{timestamp, requestid, message, details}`. Unexpected errors are logged with their stack and answered
 * with a bare 500; nothing internal reaches the response.
 */
import type { Logger } from 'pino';
import { isAppError, type ErrorCode, type FieldProblem } from './app-error';
import { httpError } from './codes';

export interface ErrorBody {
  readonly timestamp: string;
  readonly requestid: string;
  /** The error code. */
  readonly message: ErrorCode;
  readonly details: readonly FieldProblem[];
}

export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorBody;
}

export function toErrorResponse(err: unknown, requestId: string, logger: Logger): ErrorResponse {
  const known = isAppError(err) ? err : undefined;
  if (!known) {
    logger.error({ err }, 'unexpected error');
  } else if (known.status >= 500) {
    logger.warn({ err: known.cause ?? known, error: { code: known.code } }, known.code);
  }
  const error = known ?? httpError('server.internal.error');
  return {
    status: error.status,
    headers: error.headers,
    body: {
      timestamp: new Date().toISOString(),
      requestid: requestId,
      message: error.code,
      details: error.details,
    },
  };
}
