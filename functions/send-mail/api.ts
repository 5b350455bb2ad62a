/** send-mail's part of the OpenAPI spec: POST /api/rest/v1/sendmail, its request and response schemas. */
import {
  allow,
  asSchema,
  challenge,
  error,
  json,
  retryAfter,
  schemaRef,
  traceHeader,
  type ApiDescription,
} from '../../openapi/parts';
import { sendMailRequestSchema, sendMailResponseSchema } from './request-schema';
import { SEND_MAIL_PATH } from './handler';

export const sendMailApi: ApiDescription = {
  tags: [{ name: 'mail' }],
  schemas: { SendMailRequest: asSchema(sendMailRequestSchema), SendMailResponse: asSchema(sendMailResponseSchema) },
  paths: {
    [SEND_MAIL_PATH]: {
      post: {
        tags: ['mail'],
        operationId: 'sendMail',
        summary: 'Send one mail',
        description: 'Requires the role SEND_MAIL_REQUIRED_ROLE (default admin) in the roles claim.',
        security: [{ bearerAuth: ['admin'] }],
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('SendMailRequest') } } },
        responses: {
          '200': {
            description:
              'The SMTP server accepted the mail, once. When it refused some recipients and took the mail for the others, `accepted` and `rejected` say who (the mail did not go to the rejected ones). With `sandbox: true` in the request: validated and built, nothing sent, and the answer says `sandbox: true`.',
            headers: traceHeader,
            content: json(schemaRef('SendMailResponse')),
          },
          '400': error(
            'email.parse.error (details: body json.syntax with the position where the JSON breaks, or body json.not_object), email.validation.error (details name each field; `cc/1` is the second cc address, `recipients` stands for to_address, cc and bcc together: recipients.too_many over MAX_RECIPIENTS) or email.recipient.rejected (the SMTP server refused every recipient permanently; no mail).',
          ),
          '401': error(
            'auth.token.missing (no Bearer credentials; details say scheme.missing for a token without `Bearer `, scheme.unsupported for another scheme) or auth.token.invalid (details say token.expired, token.not_yet_valid, token.signature, token.claims or token.malformed; the challenge carries the same as error_description).',
            challenge,
          ),
          '403': error('auth.role.missing.', challenge),
          '404': error('http.route.notfound.'),
          '405': error('http.method.notallowed.', allow),
          '413': error('http.body.toolarge: the body is over MAX_BODY_BYTES.'),
          '415': error('http.mediatype.unsupported: not UTF-8 application/json, or a compressed body.'),
          '500': error('server.internal.error.'),
          '502': error(
            'email.send.error: SMTP failed, timed out or could not be reached, and no mail was sent. email.send.unknown: the whole message was written and no reply came; the mail may have been delivered (the one answer that may hide a delivery).',
          ),
          '503': error(
            'email.send.unavailable or auth.keys.unavailable (with Retry-After), http.request.timeout, or http.server.draining (Connection: close); no mail was sent.',
            retryAfter,
          ),
        },
      },
    },
  },
};
