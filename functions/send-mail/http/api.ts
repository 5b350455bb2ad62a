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
import {
  sendMailBatchRequestSchema,
  sendMailBatchResponseSchema,
  sendMailRequestSchema,
  sendMailResponseSchema,
} from './request-schema';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../identity';

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

/** The optional Idempotency-Key header of a send, one mail or a batch. */
const idempotencyKey = (description: string, example: string) => ({
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  description,
  schema: { type: 'string' as const, minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
  example,
});

/** An answer stored and replayed under an Idempotency-Key: it carries the replay headers. */
const keyed = <T extends object>(response: T, extra: object = {}) => ({
  ...response,
  headers: { ...traceHeader, ...replayed, ...extra },
});

/** With RATE_LIMIT_PER_SECOND on: the caller's bucket, as draft-ietf-httpapi-ratelimit-headers-11 writes it. */
const rateLimited = {
  'RateLimit-Policy': {
    description:
      'With rate limiting on (RATE_LIMIT_PER_SECOND): the caller\'s token bucket as the policy `"mail";q=<burst>;w=<seconds to refill it>` (draft-ietf-httpapi-ratelimit-headers-11). A batch counts its mails.',
    schema: { type: 'string' as const },
    example: '"mail";q=100;w=10',
  },
  RateLimit: {
    description: 'With rate limiting on: what is left, `"mail";r=<mails>;t=<seconds until the bucket is full>`.',
    schema: { type: 'string' as const },
    example: '"mail";r=57;t=5',
  },
};

const tooMany = (what: string) => ({
  ...error(
    `rate.limit.exceeded: the caller's bucket lacks the ${what} (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST, per-caller RATE_LIMIT_OVERRIDES); nothing sent, no SMTP connection. Retry-After says when it will hold them; docs/api.md.`,
  ),
  headers: { ...traceHeader, ...retryAfter, ...rateLimited },
});

/** The published batch: each item is a SendMailRequest (the validator checks them one by one). */
const batchRequestSchema = {
  ...sendMailBatchRequestSchema,
  properties: {
    messages: { ...sendMailBatchRequestSchema.properties.messages, items: schemaRef('SendMailRequest') },
  },
  example: {
    messages: [
      { to_address: 'ada@example.com', subject: 'Your March report', body: 'Hello Ada,\nyour report is ready.\n' },
      { to_address: 'alan@example.com', subject: 'Your March report', body: 'Hello Alan,\nyour report is ready.\n' },
    ],
  },
};

const batchResponseExample = {
  results: [
    { index: 0, status: 'sent', messageId: '<4f1c1e0a-8d2b-4c1e-9a51-2f7f0c3d9b10@example.com>' },
    {
      index: 1,
      status: 'failed',
      code: 'email.validation.error',
      details: [{ field: 'to_address', code: 'address.syntax' }],
    },
    { index: 2, status: 'not_attempted', code: 'http.request.timeout' },
  ],
};

export const sendMailApi: ApiDescription = {
  tags: [{ name: 'mail' }],
  schemas: {
    SendMailRequest: asSchema(sendMailRequestSchema),
    SendMailResponse: asSchema(sendMailResponseSchema),
    SendMailBatchRequest: asSchema(batchRequestSchema),
    SendMailBatchResponse: asSchema({ ...sendMailBatchResponseSchema, example: batchResponseExample }),
  },
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
          idempotencyKey(
            "Optional (IETF HTTPAPI draft 'The Idempotency-Key HTTP Header Field'): 1–255 printable ASCII characters, unique per mail, scoped to the caller (the token's sub, else azp/client_id). The first request with a key runs and its answer (200, or a deterministic 400/415) is stored for IDEMPOTENCY_TTL_SECONDS; a repeat with the same body gets that answer with Idempotent-Replayed: true. Transient failures (502 email.send.error, 503) release the key; 502 email.send.unknown locks it (409 idempotency.outcome.unknown) until it expires. Ignored when FEATURE_IDEMPOTENCY is off.",
            'campaign-42-recipient-1337',
          ),
        ],
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('SendMailRequest') } } },
        responses: {
          '200': keyed(
            {
              description:
                'The SMTP server accepted the mail, once; or, with Idempotent-Replayed: true, it did for the first request with this Idempotency-Key. When some recipients were left out (refused by the SMTP server, or on the suppression list: reason `suppressed`) and the mail went to the others, `accepted` and `rejected` say who (the mail did not go to the rejected ones). With `sandbox: true` in the request: validated and built, nothing sent, and the answer says `sandbox: true`.',
              content: json(schemaRef('SendMailResponse')),
            },
            rateLimited,
          ),
          '400': keyed(
            error(
              "email.parse.error (details: `request` json.syntax with the position where the JSON breaks, or `request` json.not_object: the request body as a whole, never the mail's `body` field), email.validation.error (details name each field; `cc/1` is the second cc address, `recipients` stands for to_address, cc and bcc together: recipients.too_many over MAX_RECIPIENTS) or email.recipient.rejected (the SMTP server refused every recipient permanently; no mail); stored and replayed under an Idempotency-Key (Idempotent-Replayed: true). idempotency.key.invalid: the Idempotency-Key is not 1–255 printable ASCII characters.",
            ),
          ),
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
          '415': keyed(
            error(
              'http.mediatype.unsupported: not UTF-8 application/json, or a compressed body (a non-UTF-8 body is stored and replayed under an Idempotency-Key).',
            ),
          ),
          '422': error(
            'email.recipient.suppressed: every recipient (to_address, cc and bcc) is on the suppression list (details name each field, code recipient.suppressed); no mail, also for a sandbox request. Not stored under an Idempotency-Key: the list may change. idempotency.key.mismatch: this Idempotency-Key was used with another request body.',
          ),
          '429': tooMany('mail'),
          '500': error('server.internal.error.'),
          '502': error(
            'email.send.error: SMTP failed, timed out or could not be reached, and no mail was sent. email.send.unknown: the whole message was written and no reply came; the mail may have been delivered (the one answer that may hide a delivery).',
          ),
          '503': error(
            'email.send.unavailable, auth.keys.unavailable, idempotency.store.unavailable (a keyed request while the key store cannot be reached; unkeyed requests are unaffected), suppression.store.unavailable (the suppression list cannot be read and SUPPRESSION_CHECK is required), rate.limit.unavailable (the rate limit store cannot be read and RATE_LIMIT_WHEN_STORE_DOWN is closed) or server.busy (the in-flight body budget of the instance, MAX_INFLIGHT_BODY_BYTES, is spent; the body was not read) (with Retry-After), http.request.timeout, or http.server.draining (Connection: close); no mail was sent.',
            retryAfter,
          ),
        },
      },
    },
    [SEND_MAIL_BATCH_PATH]: {
      post: {
        tags: ['mail'],
        operationId: 'sendMailBatch',
        summary: 'Send up to MAX_BATCH_SIZE mails in one request',
        description:
          "The same role as a single send. Each item is validated, checked against the suppression list, sent and evented on its own, at most SMTP_POOL_SIZE at a time, within the request's one deadline: one bad item never fails the others, and the answer is 200 with one result per item, in order. Items carry no attachments (send those one by one). With an Idempotency-Key, a repeat with the same body replays the whole answer and sends nothing: see docs/api.md.",
        security: [{ bearerAuth: ['admin'] }],
        parameters: [
          idempotencyKey(
            'As for a single send, over the whole batch: the fingerprint covers the whole body, and the whole answer is stored and replayed (Idempotent-Replayed: true).',
            'campaign-42-batch-7',
          ),
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: schemaRef('SendMailBatchRequest') } },
        },
        responses: {
          '200': keyed(
            {
              description:
                'One result per item, in order: `sent` (the SMTP server accepted it, once), `sandbox`, `failed` (no mail; `code` as a single send would answer), `unknown` (email.send.unknown: the only status that may hide a delivery, with its messageId) or `not_attempted` (never started before the deadline, the drain or the client leaving; never sent later).',
              content: json(schemaRef('SendMailBatchResponse')),
            },
            rateLimited,
          ),
          '400': keyed(
            error(
              'email.parse.error (the body is not a JSON object) or email.validation.error (`messages` missing, not an array, empty: field.too_short, over MAX_BATCH_SIZE: field.too_many, or another field: field.unknown); nothing sent. idempotency.key.invalid.',
            ),
          ),
          '401': error('auth.token.missing or auth.token.invalid, as for a single send.', challenge),
          '403': error('auth.role.missing.', challenge),
          '405': error('http.method.notallowed.', allow),
          '409': error(
            'idempotency.request.inflight: the first request with this Idempotency-Key is still running (Retry-After).',
            retryAfter,
          ),
          '413': error('http.body.toolarge: over MAX_BATCH_SIZE mails of MAX_BODY_BYTES; nothing sent.'),
          '415': keyed(error('http.mediatype.unsupported: not UTF-8 application/json, or a compressed body.')),
          '422': error('idempotency.key.mismatch: this Idempotency-Key was used with another request body.'),
          '429': tooMany("batch's mails (its valid items that are not sandbox requests, taken all at once)"),
          '500': error('server.internal.error.'),
          '503': error(
            'auth.keys.unavailable, idempotency.store.unavailable, rate.limit.unavailable, server.busy (with Retry-After), http.request.timeout or http.server.draining before any item started; nothing sent.',
            retryAfter,
          ),
        },
      },
    },
  },
};
