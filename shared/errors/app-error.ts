/**
 * The one error type the service throws on purpose. `code` is stable and machine-readable; the error sink
 * maps it to the HTTP status and the error body. Programmer mistakes stay plain `Error`/`TypeError`.
 */
/**
 * The error codes, by owner. Each owner declares its codes next to its code and adds them here by
 * declaration merging (see shared/errors/codes.ts, shared/auth/errors.ts, functions/send-mail/errors.ts):
 * `declare module '…/shared/errors/app-error' { interface ErrorCodeOwners { auth: AuthErrorCode } }`.
 * shared/ never names a function's codes, and `ErrorCode` stays one closed union: a misspelt code fails
 * to compile.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging, owner by owner
export interface ErrorCodeOwners {}

export type ErrorCode = ErrorCodeOwners[keyof ErrorCodeOwners];

/** One problem with one input field, as listed in the error body's `details`. */
export interface FieldProblem {
  readonly field: string;
  readonly code: string;
  /** Where in the field the problem starts, when that helps: e.g. the offset of a JSON syntax error. */
  readonly position?: number;
}

export interface AppErrorOptions {
  readonly details?: readonly FieldProblem[];
  /** Response headers that belong to this error, e.g. `Allow` or `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly FieldProblem[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, status: number, options: AppErrorOptions = {}) {
    super(code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

/** One owner's factory of errors: each of its codes answered with the status its table gives. */
export function errorFactory<C extends ErrorCode>(
  statuses: Readonly<Record<C, number>>,
): (code: C, options?: AppErrorOptions) => AppError {
  return (code, options) => new AppError(code, statuses[code], options);
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
