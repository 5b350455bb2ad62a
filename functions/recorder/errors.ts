/**
 * The recorder's error codes. A 4xx tells Knative not to redeliver (the event goes to the dead-letter sink):
 * the event itself is wrong. A 503 asks for redelivery: nothing was committed, the database may be back soon.
 */
import { errorFactory } from '../../shared/errors';

export const recorderErrorStatus = {
  /** Not a CloudEvent in binary or structured mode. */
  'recorder.event.malformed': 400,
  /** A CloudEvent of a type the recorder does not record. */
  'recorder.event.unsupported': 400,
  /** A known type whose data breaks its contract. */
  'recorder.event.invalid': 400,
  /** The database did not commit the rows: redeliver. */
  'recorder.store.unavailable': 503,
} as const satisfies Record<string, number>;

export type RecorderErrorCode = keyof typeof recorderErrorStatus;

declare module '../../shared/errors/app-error' {
  interface ErrorCodeOwners {
    recorder: RecorderErrorCode;
  }
}

export const recorderError = errorFactory(recorderErrorStatus);
