import type { IncomingHttpHeaders } from 'node:http';

/** What a route sees of a request: plain data, no req/res. */
export interface IncomingRequest {
  readonly method: string;
  readonly path: string;
  /** The query string's parameters. */
  readonly query?: URLSearchParams;
  /** The route template's `{name}` segments, percent-decoded (`/emails/{messageId}`). */
  readonly params?: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Each header as sent, with all its values: `headers` joins a repeated header of an unknown name with ", ". */
  readonly headersDistinct?: NodeJS.Dict<string[]>;
  /** The raw body; empty when none was sent. */
  readonly body: Buffer;
  /**
   * Aborts, with an `AppError` as its reason, when the request deadline passes (`http.request.timeout`), the
   * client goes away (`http.client.closed`) or the shutdown drain cuts the request (`http.server.draining`).
   * The launcher never answers for a route it has invoked: the route answers after the abort.
   */
  readonly signal: AbortSignal;
  /**
   * When `signal` aborts for the request's budget, on performance.now()'s clock: set by our launcher
   * (REQUEST_TIMEOUT_SECONDS from the request's arrival); absent under the stock framework, which sets none.
   */
  readonly deadlineAt?: number;
  /** Adds fields to this request's access-log line (e.g. send-mail's hashed idempotency key). */
  readonly annotate?: (fields: Readonly<Record<string, unknown>>) => void;
}

/** What a route answers: a JSON body, or raw bytes with their content type. */
export interface HttpResult {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly raw?: { readonly data: string | Buffer; readonly contentType: string };
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  /** The path holds a credential (an unsubscribe token): the access log names the route's template instead. */
  readonly secretPath?: true;
  handle(request: IncomingRequest): Promise<HttpResult> | HttpResult;
}
