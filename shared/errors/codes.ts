/**
 * Error codes that every function can answer with, independent of its domain. Domains declare their own
 * codes next to their code (e.g. functions/send-mail/errors.ts) in the same shape.
 */
import { errorFactory } from './app-error';

export const httpErrorStatus = {
  'http.route.notfound': 404,
  'http.method.notallowed': 405,
  'http.mediatype.unsupported': 415,
  'http.body.toolarge': 413,
  /** The instance's in-flight body budget (MAX_INFLIGHT_BODY_BYTES) is spent: try again shortly. */
  'server.busy': 503,
  'http.body.invalid': 400,
  'http.request.timeout': 503,
  'http.server.draining': 503,
  // Never written to anyone (the client is gone); it names the abort in logs and metrics.
  'http.client.closed': 499,
  'server.internal.error': 500,
} as const satisfies Record<string, number>;

export type HttpErrorCode = keyof typeof httpErrorStatus;

declare module './app-error' {
  interface ErrorCodeOwners {
    http: HttpErrorCode;
  }
}

export const httpError = errorFactory(httpErrorStatus);
