/** feedback's part of the OpenAPI spec: POST /api/rest/v1/feedback/reports and its answer. */
import {
  asSchema,
  challenge,
  error,
  json,
  retryAfter,
  schemaRef,
  traceHeader,
  type ApiDescription,
} from '../../../openapi/parts';
import { REASONS } from '../report/reading';
import { FEEDBACK_PATH } from '../identity';

const feedbackResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'correlated', 'recipients', 'eventIds'],
  properties: {
    kind: {
      enum: ['dsn', 'arf', 'autoreply', 'unknown'],
      description:
        "What the mail is: a delivery status notification (RFC 3464 or an MTA's own bounce), an ARF complaint (RFC 5965), an automatic reply (RFC 3834: recognized, ignored) or a mail that cannot be read as a report (logged with its SHA-256, never retried).",
    },
    correlated: {
      type: 'boolean',
      description:
        "True when the report's envelope recipient carries a VERP tag that verifies: it is about one of our mails.",
    },
    messageId: { type: 'string', description: "Only when correlated: the original mail's Message-ID." },
    emailSentId: {
      type: 'string',
      format: 'uuid',
      description: "Only when correlated: the id of the mail's email.sent event.",
    },
    recipients: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['recipient', 'classification', 'reason'],
        properties: {
          recipient: { type: 'string' },
          classification: { enum: ['hard', 'soft', 'delayed', 'complaint', 'unknown'] },
          reason: { enum: [...REASONS] },
          status: { type: 'string', description: 'RFC 3463 enhanced status code, when the report gives one.' },
          eventId: {
            type: 'string',
            format: 'uuid',
            description:
              'The event this recipient caused (email.bounced, email.delayed or email.complained); absent when none.',
          },
        },
      },
    },
    eventIds: {
      type: 'array',
      items: { type: 'string', format: 'uuid' },
      description:
        'Every event the report caused. Each is published or in the dead-letter log when this answer is sent.',
    },
  },
};

export const feedbackApi: ApiDescription = {
  tags: [{ name: 'feedback' }],
  schemas: { FeedbackResponse: asSchema(feedbackResponseSchema) },
  paths: {
    [FEEDBACK_PATH]: {
      post: {
        tags: ['feedback'],
        operationId: 'postFeedbackReport',
        summary: 'Hand in one inbound report (a bounce, a delay warning, a complaint) as the MTA received it',
        description:
          "For the inbound MTA (docs/feedback.md): the whole mail as received, Content-Type message/rfc822, with the MTA's own token carrying the role FEEDBACK_REQUIRED_ROLE (default feedback). The envelope recipient reaches the function in the X-Original-To or Delivered-To header that the MTA prepends (Postfix pipe flags O and D; Exim's Envelope-to): only a VERP tag that verifies correlates the report to a mail. A mail that cannot be read is still 202 (kind unknown), so the MTA does not retry it forever.",
        security: [{ bearerAuth: ['feedback'] }],
        requestBody: {
          required: true,
          content: { 'message/rfc822': { schema: { type: 'string', format: 'binary', maxLength: 2097152 } } },
        },
        responses: {
          '202': {
            description:
              'Read. Each correlated recipient classified hard, soft, delayed or complaint has its event on its way (published, or in the dead-letter log). The same report posted again gives the same event ids.',
            headers: traceHeader,
            content: json(schemaRef('FeedbackResponse')),
          },
          '400': error('feedback.report.empty: the body is empty.'),
          '401': error('auth.token.missing or auth.token.invalid (as for send-mail).', challenge),
          '403': error('auth.role.missing.', challenge),
          '413': error('http.body.toolarge: the report is over FEEDBACK_MAX_BYTES (2 MiB by default).'),
          '415': error('http.mediatype.unsupported: not message/rfc822, or a compressed body.'),
          '500': error('server.internal.error.'),
          '503': error(
            'auth.keys.unavailable or server.busy (the instance is reading as many reports as MAX_INFLIGHT_BODY_BYTES holds; this one was not read) (Retry-After), http.request.timeout or http.server.draining.',
            retryAfter,
          ),
        },
      },
    },
  },
};
