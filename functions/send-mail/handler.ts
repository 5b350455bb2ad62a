/** The HTTP adapter of send-mail: request → validated input → use case → result. */
import type { Authenticator } from '../../shared/auth';
import { requireJsonContentType, type Route } from '../../shared/http';
import { currentTrace, newTrace } from '../../shared/tracing';
import { DEFAULT_REQUEST_LIMITS, parseSendMailRequest, type RequestLimits } from './request';
import { sendMail, type SendMailPorts } from './send-mail';

export const SEND_MAIL_PATH = '/api/rest/v1/sendmail';

export interface SendMailAccess {
  readonly authenticator: Authenticator;
  readonly requiredRole: string;
}

export function sendMailRoutes(
  ports: SendMailPorts,
  access: SendMailAccess,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): Route[] {
  return [
    {
      method: 'POST',
      path: SEND_MAIL_PATH,
      handle: async (request) => {
        // Before anything reads the body: an unauthenticated request never reaches validation or SMTP.
        await access.authenticator.authorize(request.headers, access.requiredRole);
        requireJsonContentType(request.headers['content-type']);
        const input = parseSendMailRequest(request.body, limits);
        const result = await sendMail(input, currentTrace() ?? newTrace(), ports, request.signal);
        return { status: 200, json: result };
      },
    },
  ];
}
