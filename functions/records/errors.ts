/** The records domain's error codes and their HTTP statuses. */
import { errorFactory } from '../../shared/errors';

export const recordsErrorStatus = {
  /** No mail with this id that the caller may read (unknown, another caller's, or purged). */
  'timeline.notfound': 404,
  'suppression.notfound': 404,
  /** The address in the path is no mail address. */
  'suppression.address.invalid': 400,
  /** A query parameter of the list is wrong (details name it). */
  'suppression.query.invalid': 400,
  /** An unsubscribe link that is not ours, or was altered: nothing changed. */
  'unsubscribe.notfound': 404,
  /** A one-click POST without the form body `List-Unsubscribe=One-Click` (RFC 8058): nothing changed. */
  'unsubscribe.body.invalid': 400,
  /** The database could not answer: nothing was changed. */
  'records.store.unavailable': 503,
} as const satisfies Record<string, number>;

export type RecordsErrorCode = keyof typeof recordsErrorStatus;

declare module '../../shared/errors/app-error' {
  interface ErrorCodeOwners {
    records: RecordsErrorCode;
  }
}

export const recordsError = errorFactory(recordsErrorStatus);
