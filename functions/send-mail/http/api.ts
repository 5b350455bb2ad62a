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
} from '../../../openapi/parts';
import { sendMailRequestSchema, sendMailResponseSchema } from './request-schema';
import { SEND_MAIL_PATH } from '../identity';

/** On an answer replayed from the Idempotency-Key store: the first request's answer, nothing sent again. */
const replayed = {
  'Idempotent-Stored': {
    description:
      'Only on a first answer under an Idempotency-Key whose answer could not be stored under the key (the store failed, a background settle goes on; or another request holds the key): `false`. A retry with this key may run again.',
    schema: { type: 'string', enum: ['false'] },
  },
  'Idempotent-Replayed': {
    description:
      'Only on a replay: `true` when this is the stored answer of an earlier request with the same Idempotency-Key and body (same status, body and messageId; nothing sent, no event).',
    schema: { type: 'string', enum: ['true'] },
  },
};

export const sendMailApi: ApiDescription = {
  tags: [{ name: 'mail' }],
  schemas: { SendMailRequest: asSchema(sendMailRequestSchema), SendMailResponse: asSchema(sendMailResponseSchema) },
  paths: {
    [SEND_MAIL_PATH]: {
      post: {
        tags: ['mail'],
        operationId: 'sendMail',
        summary: 'Send one mail',
        description:
          'Requires the role SEND_MAIL_REQUIRED_ROLE (default admin) in the roles claim. With an Idempotency-Key (FEATURE_IDEMPOTENCY on), a retry never sends a second mail: see docs/api.md.',
        security: [{ bearerAuth: ['admin'] }],
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              "Optional (IETF HTTPAPI draft 'The Idempotency-Key HTTP Header Field'): 1–255 printable ASCII characters, unique per mail, scoped to the caller (the token's sub, else azp/client_id). The first request with a key runs and its answer (200, or a deterministic 400/415) is stored for IDEMPOTENCY_TTL_SECONDS; a repeat with the same body gets that answer with Idempotent-Replayed: true. Transient failures (502 email.send.error, 503) release the key; 502 email.send.unknown locks it (409 idempotency.outcome.unknown) until it expires. Ignored when FEATURE_IDEMPOTENCY is off.",
            schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
            example: 'campaign-42-recipient-1337',
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('SendMailRequest') } } },
        responses: {
          '200': {
            description:
              'The SMTP server accepted the mail, once; or, with Idempotent-Replayed: true, it did for the first request with this Idempotency-Key. When some recipients were left out (refused by the SMTP server, or on the suppression list: reason `suppressed`) and the mail went to the others, `accepted` and `rejected` say who (the mail did not go to the rejected ones). With `sandbox: true` in the request: validated and built, nothing sent, and the answer says `sandbox: true`.',
            headers: { ...traceHeader, ...replayed },
            content: json(schemaRef('SendMailResponse')),
          },
          '400': {
            ...error(
              "email.parse.error (details: `request` json.syntax with the position where the JSON breaks, or `request` json.not_object: the request body as a whole, never the mail's `body` field), email.validation.error (details name each field; `cc/1` is the second cc address, `recipients` stands for to_address, cc and bcc together: recipients.too_many over MAX_RECIPIENTS) or email.recipient.rejected (the SMTP server refused every recipient permanently; no mail); stored and replayed under an Idempotency-Key (Idempotent-Replayed: true). idempotency.key.invalid: the Idempotency-Key is not 1–255 printable ASCII characters.",
            ),
            headers: { ...traceHeader, ...replayed },
          },
          '401': error(
            'auth.token.missing (no Bearer credentials; details say scheme.missing for a token without `Bearer `, scheme.unsupported for another scheme) or auth.token.invalid (details say token.expired, token.not_yet_valid, token.signature, token.claims or token.malformed; the challenge carries the same as error_description).',
            challenge,
          ),
          '403': error('auth.role.missing.', challenge),
          '404': error('http.route.notfound.'),
          '405': error('http.method.notallowed.', allow),
          '413': error(
            "http.body.toolarge: the body is over the send's limit (MAX_BODY_BYTES, plus what MAX_ATTACHMENT_BYTES and MAX_ATTACHMENTS take in base64). email.attachment.toolarge: the attachments decode to more than MAX_ATTACHMENT_BYTES together. No mail, no SMTP connection.",
          ),
          '409': error(
            'idempotency.request.inflight: the first request with this Idempotency-Key is still running (Retry-After). idempotency.outcome.unknown: it ended with email.send.unknown, so the mail may be out; this key never sends again until it expires (IDEMPOTENCY_TTL_SECONDS).',
            retryAfter,
          ),
          '415': {
            ...error(
              'http.mediatype.unsupported: not UTF-8 application/json, or a compressed body (a non-UTF-8 body is stored and replayed under an Idempotency-Key).',
            ),
            headers: { ...traceHeader, ...replayed },
          },
          '422': error(
            'email.recipient.suppressed: every recipient (to_address, cc and bcc) is on the suppression list (details name each field, code recipient.suppressed); no mail, also for a sandbox request. Not stored under an Idempotency-Key: the list may change. idempotency.key.mismatch: this Idempotency-Key was used with another request body.',
          ),
          '500': error('server.internal.error.'),
          '502': error(
            'email.send.error: SMTP failed, timed out or could not be reached, and no mail was sent. email.send.unknown: the whole message was written and no reply came; the mail may have been delivered (the one answer that may hide a delivery).',
          ),
          '503': error(
            'email.send.unavailable, auth.keys.unavailable, idempotency.store.unavailable (a keyed request while the key store cannot be reached; unkeyed requests are unaffected), suppression.store.unavailable (the suppression list cannot be read and SUPPRESSION_CHECK is required) or server.busy (the in-flight body budget of the instance, MAX_INFLIGHT_BODY_BYTES, is spent; the body was not read) (with Retry-After), http.request.timeout, or http.server.draining (Connection: close); no mail was sent.',
            retryAfter,
          ),
        },
      },
    },
  },
};
