/** records' part of the OpenAPI spec: each mail's timeline, the suppression list by hand, one-click unsubscribe. */
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
import { SUPPRESSION_REASONS, suppressionScopeSchema } from '../../../shared/contracts/email-suppression';
import { EMAIL_PATH, SUPPRESSIONS_PATH, SUPPRESSION_PATH, UNSUBSCRIBE_PATH } from '../identity';
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
      description:
        'What happened, in order: email.sent, email.delayed, email.bounced, email.complained, email.unsubscribed.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'eventId', 'occurredAt'],
        properties: {
          type: { enum: ['email.sent', 'email.delayed', 'email.bounced', 'email.complained', 'email.unsubscribed'] },
          eventId: { type: 'string', description: 'The CloudEvent id.' },
          occurredAt: dateTime,
          recipient: {
            type: 'string',
            description: 'Feedback and unsubscribes only: the recipient the report (or the unsubscribe) is about.',
          },
          classification: { enum: ['hard', 'soft', 'delayed', 'complaint'] },
          reason: {
            type: 'string',
            description: 'Feedback only: why (docs/feedback.md vocabulary); an unsubscribe: `unsubscribe`.',
          },
          status: { type: 'string', description: 'Feedback only: the RFC 3463 status code, when given.' },
          suppression: {
            type: 'object',
            additionalProperties: false,
            required: ['reason', 'scope'],
            description:
              'The suppression this event put in place (a hard bounce, a complaint, an unsubscribe), while it lasts: its reason and whose mail it stops.',
            properties: { reason: { enum: [...SUPPRESSION_REASONS] }, scope: suppressionScopeSchema },
          },
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
        suppression: { reason: 'hard_bounce', scope: { stream: 'all' } },
      },
    ],
  },
};

const suppressionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'reason', 'scope', 'createdAt'],
  properties: {
    address: { type: 'string', description: 'The local part as sent, the domain in lower-case punycode.' },
    reason: { enum: [...SUPPRESSION_REASONS] },
    scope: suppressionScopeSchema,
    createdAt: dateTime,
    eventId: {
      type: 'string',
      description: 'The bounce, complaint or email.unsubscribed event that caused it; absent for a manual one.',
    },
    changeEventId: {
      type: 'string',
      format: 'uuid',
      description: 'Only on the answer to an add that changed the list: its email.suppression.changed event.',
    },
  },
  example: {
    address: 'gone@example.org',
    reason: 'hard_bounce',
    scope: { stream: 'all' },
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
  required: ['address', 'scope', 'changeEventId'],
  properties: {
    address: { type: 'string' },
    scope: suppressionScopeSchema,
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
/** The address's resource names one scope: none (or stream=all) is every mail. */
const scopeParams: ParameterObject[] = [
  {
    name: 'stream',
    in: 'query',
    required: false,
    description:
      '`all` (the default): the suppression for every mail. `broadcast`: one caller’s unsubscribe, named by `caller`.',
    schema: { enum: ['all', 'broadcast'], default: 'all' },
  },
  {
    name: 'caller',
    in: 'query',
    required: false,
    description:
      'With stream=broadcast (and only then): the caller whose broadcast stream, as `scope.caller` shows it.',
    schema: { type: 'string' },
    example: '["https://idp.example.com","sub","campaign-service"]',
  },
];
const scopeProblem = 'suppression.query.invalid: stream or caller wrong (details name it).';
const tokenParam: ParameterObject = {
  name: 'token',
  in: 'path',
  required: true,
  description:
    'The token from the mail’s List-Unsubscribe link: sealed and signed (HMAC-SHA-512), it names the recipient, the caller and the mail, and cannot be forged or altered.',
  schema: { type: 'string', maxLength: 2048 },
};
const tokenNotFound = error('unsubscribe.notfound: not a token of ours, or altered; nothing changed.');
const admin = (operation: OperationObject): OperationObject => ({
  tags: ['suppressions'],
  security: [{ bearerAuth: ['mailer-admin'] }],
  ...operation,
});

const unsubscribedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['unsubscribed'],
  properties: { unsubscribed: { const: true } },
  example: { unsubscribed: true },
};

export const recordsApi: ApiDescription = {
  tags: [{ name: 'timeline' }, { name: 'suppressions' }, { name: 'unsubscribe' }],
  schemas: {
    Timeline: asSchema(timelineSchema),
    Suppression: asSchema(suppressionSchema),
    SuppressionPage: asSchema(pageSchema),
    SuppressionRemoved: asSchema(removedSchema),
    Unsubscribed: asSchema(unsubscribedSchema),
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
            name: 'address',
            in: 'query',
            required: false,
            description: 'Only this address: each of its scopes.',
            schema: { type: 'string' },
          },
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
          '400': error(
            'suppression.query.invalid: details name each wrong parameter (reason, address, since, limit, cursor).',
          ),
          ...authErrors,
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      }),
    },
    [SUPPRESSION_PATH]: {
      get: admin({
        operationId: 'getSuppression',
        summary: 'Look one address up, in one scope',
        parameters: [addressParam, ...scopeParams],
        responses: {
          '200': { description: 'It is suppressed.', headers: traceHeader, content: json(schemaRef('Suppression')) },
          '400': error(`suppression.address.invalid: not a mail address. ${scopeProblem}`),
          ...authErrors,
          '404': error('suppression.notfound: the address is not suppressed in that scope.'),
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      }),
      put: admin({
        operationId: 'addSuppression',
        summary: 'Suppress an address by hand (reason manual), for every mail or one caller’s broadcast stream',
        description: 'Idempotent: an address suppressed in that scope already stays as it is (200, no event).',
        parameters: [addressParam, ...scopeParams],
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
          '400': error(`suppression.address.invalid: not a mail address. ${scopeProblem}`),
          ...authErrors,
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      }),
      delete: admin({
        operationId: 'removeSuppression',
        summary: 'Reactivate an address in one scope: take that suppression off the list',
        parameters: [addressParam, ...scopeParams],
        responses: {
          '200': {
            description: 'Removed; its email.suppression.changed event is on its way (or in the dead-letter log).',
            headers: traceHeader,
            content: json(schemaRef('SuppressionRemoved')),
          },
          '400': error(`suppression.address.invalid: not a mail address. ${scopeProblem}`),
          ...authErrors,
          '404': error('suppression.notfound: the address is not suppressed in that scope.'),
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      }),
    },
    [UNSUBSCRIBE_PATH]: {
      post: {
        tags: ['unsubscribe'],
        operationId: 'unsubscribeOneClick',
        summary: 'One-click unsubscribe (RFC 8058): leave the sender’s broadcast stream',
        description:
          "The URL of a broadcast mail's `List-Unsubscribe` header, which mailbox providers (Gmail, Yahoo) POST to when the user clicks Unsubscribe. **The one route without a JWT**: RFC 8058 sends none, and the token is its authentication. Suppresses the recipient for the caller's broadcast stream only (its transactional mail still goes out), writes it into the mail's timeline and emits email.unsubscribed. Idempotent: a repeated POST answers 200 and changes nothing. No redirect, no page.",
        security: [],
        parameters: [tokenParam],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                required: ['List-Unsubscribe'],
                properties: { 'List-Unsubscribe': { const: 'One-Click' } },
              },
              example: 'List-Unsubscribe=One-Click',
            },
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['List-Unsubscribe'],
                properties: { 'List-Unsubscribe': { const: 'One-Click' } },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Unsubscribed (now, or before).',
            headers: traceHeader,
            content: json(schemaRef('Unsubscribed')),
          },
          '400': error('unsubscribe.body.invalid: the form body is not `List-Unsubscribe=One-Click`; nothing changed.'),
          '404': tokenNotFound,
          '500': error('server.internal.error.'),
          '503': unavailable,
        },
      },
      get: {
        tags: ['unsubscribe'],
        operationId: 'unsubscribePage',
        summary: 'The unsubscribe page: a button, and nothing changed',
        description:
          'For a person who opens the link: a minimal page whose button makes the one-click POST. A GET changes nothing, as link scanners fetch every URL in a mail.',
        security: [],
        parameters: [tokenParam],
        responses: {
          '200': {
            description: 'The page.',
            headers: traceHeader,
            content: { 'text/html': { schema: { type: 'string' } } },
          },
          '404': tokenNotFound,
          '500': error('server.internal.error.'),
          '503': error('http.request.timeout or http.server.draining.', retryAfter),
        },
      },
    },
  },
};
