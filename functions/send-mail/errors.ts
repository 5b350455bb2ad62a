/** The send-mail domain's error codes and their HTTP statuses. */
import { AppError, errorFactory, type AppErrorOptions } from '../../shared/errors';

export const emailErrorStatus = {
  'email.parse.error': 400,
  'email.validation.error': 400,
  /** The attachments' decoded total is over MAX_ATTACHMENT_BYTES: no mail. */
  'email.attachment.toolarge': 413,
  'email.recipient.rejected': 400,
  /** Every recipient is suppressed for this mail (for every mail, or unsubscribed from its broadcast stream): no mail. */
  'email.recipient.suppressed': 422,
  /** A broadcast mail without its own list_unsubscribe where this deployment makes no one-click links: no mail. */
  'email.unsubscribe.unavailable': 422,
  'email.send.error': 502,
  /** The whole message was written and no reply came: it may or may not have been delivered. */
  'email.send.unknown': 502,
  'email.send.unavailable': 503,
} as const satisfies Record<string, number>;

export type EmailErrorCode = keyof typeof emailErrorStatus;

declare module '../../shared/errors/app-error' {
  interface ErrorCodeOwners {
    email: EmailErrorCode;
  }
}

export const emailError = errorFactory(emailErrorStatus);

/** The one "outcome unknown" answer, with the Message-ID the mail went out with, for reconciliation. */
export class OutcomeUnknownError extends AppError {
  constructor(
    readonly messageId: string,
    options?: AppErrorOptions,
  ) {
    super('email.send.unknown', emailErrorStatus['email.send.unknown'], options);
  }
}
