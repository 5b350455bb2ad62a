/** The feedback domain's error codes and their HTTP statuses. */
import { errorFactory } from '../../shared/errors';

export const feedbackErrorStatus = {
  /** A POST without a mail: a client's mistake, unlike a mail that cannot be read (202, kind unknown). */
  'feedback.report.empty': 400,
} as const satisfies Record<string, number>;

export type FeedbackErrorCode = keyof typeof feedbackErrorStatus;

declare module '../../shared/errors/app-error' {
  interface ErrorCodeOwners {
    feedback: FeedbackErrorCode;
  }
}

export const feedbackError = errorFactory(feedbackErrorStatus);
