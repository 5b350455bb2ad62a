/** records' part of the OpenAPI spec: each mail's timeline and the suppression list by hand. */
import type { OperationObject, ParameterObject } from 'openapi3-ts/oas31';
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
import { SUPPRESSION_REASONS } from '../../../shared/contracts/email-suppression';
import { EMAIL_PATH, SUPPRESSIONS_PATH, SUPPRESSION_PATH } from '../identity';
import { DEFAULT_PAGE, MAX_PAGE } from '../suppressions';

const dateTime = { type: 'string', format: 'date-time' } as const;

const timelineSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['messageId', 'events'],
  properties: {
    messageId: { type: 'string', description: 'The Message-ID, with its angle brackets.' },
    sentAt: {
      ...dateTime,
      description: 'When the SMTP server accepted the mail; absent until its email.sent is recorded.',
    },
    recipients: {
      type: 'array',
      items: { type: 'string' },
      description: 'To and the Cc recipients the server took (Bcc recipients are never named).',
    },
    stream: {
      enum: ['transactional', 'broadcast'],
      description: 'With sentAt: the message stream the mail went out on (transactional unless it said broadcast).',
    },
    events: {
      type: 'array',
      description: 'What happened, in order: email.sent, email.delayed, email.bounced, email.complained.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'eventId', 'occurredAt'],
        properties: {
          type: { enum: ['email.sent', 'email.delayed', 'email.bounced', 'email.complained'] },
          eventId: { type: 'string', description: 'The CloudEvent id.' },
          occurredAt: dateTime,
          recipient: { type: 'string', description: 'Feedback only: the recipient the report is about.' },
          classification: { enum: ['hard', 'soft', 'delayed', 'complaint'] },
          reason: { type: 'string', description: 'Feedback only: why (docs/feedback.md vocabulary).' },
          status: { type: 'string', description: 'Feedback only: the RFC 3463 status code, when given.' },
        },
      },
    },
  },
  example: {
    messageId: '<3b241101-e2bb-4255-8caf-4136c566a962@bounces.example.com>',
    sentAt: '2026-12-07T10:00:00.000Z',
    recipients: ['gone@example.org'],
    stream: 'transactional',
    events: [
      { type: 'email.sent', eventId: '3b241101-e2bb-4255-8caf-4136c566a962', occurredAt: '2026-12-07T10:00:00.000Z' },
      {
        type: 'email.bounced',
        eventId: '9b6c92fb-7b35-8ab3-a1c2-0f4e5d6c7b8a',
        occurredAt: '2026-12-07T10:05:00.000Z',
        recipient: 'gone@example.org',
        classification: 'hard',
        reason: 'user_unknown',
        status: '5.1.1',
      },
    ],
  },
};

const suppressionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'reason', 'createdAt'],
  properties: {
    address: { type: 'string', description: 'The local part as sent, the domain in lower-case punycode.' },
    reason: { enum: [...SUPPRESSION_REASONS] },
    createdAt: dateTime,
    eventId: { type: 'string', description: 'The bounce or complaint event that caused it; absent for a manual one.' },
    changeEventId: {
      type: 'string',
      format: 'uuid',
      description: 'Only on the answer to an add that changed the list: its email.suppression.changed event.',
    },
  },
  example: {
    address: 'gone@example.org',
    reason: 'hard_bounce',
    createdAt: '2026-12-07T10:05:00.000Z',
    eventId: '9b6c92fb-7b35-8ab3-a1c2-0f4e5d6c7b8a',
  },
};

const pageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: { type: 'array', items: schemaRef('Suppression') },
    nextCursor: { type: 'string', description: 'Pass as `cursor` for the next page; absent on the last one.' },
  },
};

const removedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'changeEventId'],
  properties: {
    address: { type: 'string' },
    changeEventId: { type: 'string', format: 'uuid', description: 'Its email.suppression.changed event.' },
  },
};

const authErrors = {
  '401': error('auth.token.missing or auth.token.invalid (as for send-mail).', challenge),
  '403': error('auth.role.missing.', challenge),
};
const unavailable = error(
  'records.store.unavailable (the database cannot answer; nothing changed), auth.keys.unavailable (Retry-After), http.request.timeout or http.server.draining.',
  retryAfter,
);
const addressParam: ParameterObject = {
  name: 'address',
  in: 'path',
  required: true,
  description: 'A mail address, percent-encoded; compared in its one form (the domain in any case or in Unicode).',
  schema: { type: 'string' },
  example: 'gone@example.org',
};
const admin = (operation: OperationObject): OperationObject => ({
  tags: ['suppressions'],
  security: [{ bearerAuth: ['mailer-admin'] }],
  ...operation,
});

export const recordsApi: ApiDescription = {
  tags: [{ name: 'timeline' }, { name: 'suppressions' }],
  schemas: {
    Timeline: asSchema(timelineSchema),
    Suppression: asSchema(suppressionSchema),
    SuppressionPage: asSchema(pageSchema),
    SuppressionRemoved: asSchema(removedSchema),
  },
  paths: {
    [EMAIL_PATH]: {
      get: {
        tags: ['timeline'],
        operationId: 'getEmailTimeline',
        summary: 'What became of one mail: sent, delayed, bounced, complained',
        description:
          "Requires TIMELINE_READ_ROLE (default admin, the send role): a caller reads the mails it sent, and any other mail is 404. TIMELINE_READ_ALL_ROLE (unset by default) reads every caller's mails. Rows are kept TIMELINE_RETENTION_DAYS (30).",
        security: [{ bearerAuth: ['admin'] }],
        parameters: [
          {
            name: 'messageId',
            in: 'path',
            required: true,
            description:
              "The mail's Message-ID (as send-mail answered it), percent-encoded; the angle brackets may be left out.",
            schema: { type: 'string' },
            example: '%3C3b241101-e2bb-4255-8caf-4136c566a962%40bounces.example.com%3E',
          },
        ],
        responses: {
          '200': { description: "The mail's timeline.", headers: traceHeader, content: json(schemaRef('Timeline')) },
          ...authErrors,
          '404': error('timeline.notfound: no such mail for this caller (unknown, another caller’s, or purged).'),
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      },
    },
    [SUPPRESSIONS_PATH]: {
      get: admin({
        operationId: 'listSuppressions',
        summary: 'List suppressed addresses, newest first',
        description: 'Requires SUPPRESSION_ADMIN_ROLE (default mailer-admin), never the send role.',
        parameters: [
          { name: 'reason', in: 'query', required: false, schema: { enum: [...SUPPRESSION_REASONS] } },
          {
            name: 'since',
            in: 'query',
            required: false,
            description: 'Only those suppressed at or after this time (RFC 3339).',
            schema: { type: 'string', format: 'date-time' },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
          },
          {
            name: 'cursor',
            in: 'query',
            required: false,
            description: 'The previous page’s nextCursor.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': { description: 'One page.', headers: traceHeader, content: json(schemaRef('SuppressionPage')) },
          '400': error('suppression.query.invalid: details name each wrong parameter (reason, since, limit, cursor).'),
          ...authErrors,
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      }),
    },
    [SUPPRESSION_PATH]: {
      get: admin({
        operationId: 'getSuppression',
        summary: 'Look one address up',
        parameters: [addressParam],
        responses: {
          '200': { description: 'It is suppressed.', headers: traceHeader, content: json(schemaRef('Suppression')) },
          '400': error('suppression.address.invalid: not a mail address.'),
          ...authErrors,
          '404': error('suppression.notfound: the address is not suppressed.'),
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      }),
      put: admin({
        operationId: 'addSuppression',
        summary: 'Suppress an address by hand (reason manual)',
        description: 'Idempotent: an address suppressed already stays as it is (200, no event).',
        parameters: [addressParam],
        responses: {
          '201': {
            description: 'Added; its email.suppression.changed event is on its way (or in the dead-letter log).',
            headers: traceHeader,
            content: json(schemaRef('Suppression')),
          },
          '200': {
            description: 'It was suppressed already: unchanged.',
            headers: traceHeader,
            content: json(schemaRef('Suppression')),
          },
          '400': error('suppression.address.invalid: not a mail address.'),
          ...authErrors,
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      }),
      delete: admin({
        operationId: 'removeSuppression',
        summary: 'Reactivate an address: take it off the list',
        parameters: [addressParam],
        responses: {
          '200': {
            description: 'Removed; its email.suppression.changed event is on its way (or in the dead-letter log).',
            headers: traceHeader,
            content: json(schemaRef('SuppressionRemoved')),
          },
          '400': error('suppression.address.invalid: not a mail address.'),
          ...authErrors,
          '404': error('suppression.notfound: the address is not suppressed.'),
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      }),
    },
  },
};
