/** The HTTP adapter of send-mail: request → validated input → use case → result. */
import { requireJsonContentType, type Route } from '../../shared/http';
import { currentTrace } from '../../shared/tracing';
import { parseSendMailRequest } from './email';
import { sendMail, type SendMailPorts } from './send-mail';

export const SEND_MAIL_PATH = '/api/rest/v1/sendmail';

export function sendMailRoutes(ports: SendMailPorts): Route[] {
  return [
    {
      method: 'POST',
      path: SEND_MAIL_PATH,
      handle: async (request) => {
        requireJsonContentType(request.headers['content-type']);
        const input = parseSendMailRequest(request.body);
        const result = await sendMail(input, currentTrace()?.traceId ?? '', ports);
        return { status: 200, json: result };
      },
    },
  ];
}
