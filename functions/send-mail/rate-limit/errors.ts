/** The rate limit's error codes and their HTTP statuses. */
import { errorFactory } from '../../../shared/errors';

export const rateLimitErrorStatus = {
  /** The caller's bucket lacks the mails this request would send: nothing sent; Retry-After says when. */
  'rate.limit.exceeded': 429,
  /** RATE_LIMIT_WHEN_STORE_DOWN=closed and the shared buckets cannot be read: nothing sent. */
  'rate.limit.unavailable': 503,
} as const satisfies Record<string, number>;

export type RateLimitErrorCode = keyof typeof rateLimitErrorStatus;

declare module '../../../shared/errors/app-error' {
  interface ErrorCodeOwners {
    rate: RateLimitErrorCode;
  }
}

export const rateLimitError = errorFactory(rateLimitErrorStatus);
