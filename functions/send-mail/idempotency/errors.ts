/** The idempotency concern's error codes and their HTTP statuses. */
import { errorFactory } from '../../../shared/errors';

export const idempotencyErrorStatus = {
  /** The Idempotency-Key header is not 1–255 printable ASCII characters. */
  'idempotency.key.invalid': 400,
  /** The key was used before with another request body. */
  'idempotency.key.mismatch': 422,
  /** The first request with this key is still being served. */
  'idempotency.request.inflight': 409,
  /** The first request with this key ended with email.send.unknown: never sent again under this key. */
  'idempotency.outcome.unknown': 409,
  /** The key store cannot be reached: a keyed request is refused (fail closed), nothing sent. */
  'idempotency.store.unavailable': 503,
} as const satisfies Record<string, number>;

export type IdempotencyErrorCode = keyof typeof idempotencyErrorStatus;

declare module '../../../shared/errors/app-error' {
  interface ErrorCodeOwners {
    idempotency: IdempotencyErrorCode;
  }
}

export const idempotencyError = errorFactory(idempotencyErrorStatus);
