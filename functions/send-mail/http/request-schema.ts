/**
 * The send-mail request and response schemas: published in the OpenAPI spec, and compiled at build time
 * (`make generate`) into the validator the function runs, so ajv's compiler never loads at start.
 */

/** No C0 controls but TAB, no DEL, no lone surrogates: a subject must stay one header line. */
const SUBJECT_PATTERN = '^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F\\uD800-\\uDFFF]*$';
/** Text: no NUL and no lone surrogates. */
const TEXT_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';
/** Tags and metadata keys: short, plain, safe in any log or event consumer. */
const LABEL_PATTERN = '^[A-Za-z0-9_.-]*$';

/** A bare address, as to_address: the address rules (address.ts) are checked after the schema. */
const addressSchema = { type: 'string', minLength: 3, maxLength: 254 } as const;
const addressList = (description: string) =>
  ({ type: 'array', items: addressSchema, description, example: ['team@example.com'] }) as const;

/** A file name shown to the recipient: no control characters, no lone surrogates (path parts are checked after). */
const FILENAME_PATTERN = '^[^\\u0000-\\u001F\\u007F\\uD800-\\uDFFF]+$';
/** type/subtype, RFC 6838 restricted names (parameters are not taken). */
const CONTENT_TYPE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$';
/** The local-part-like id an HTML part refers to as cid:<id> (RFC 2392), without angle brackets. */
const CONTENT_ID_PATTERN = "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.@-]+$";
/** The schema's own cap on parts, above any MAX_ATTACHMENTS worth setting (the setting is checked after). */
export const SCHEMA_MAX_ATTACHMENTS = 100;

/** The most tags and metadata entries, and the most UTF-8 octets of metadata keys and values together. */
export const MAX_TAGS = 10;
export const MAX_METADATA_ENTRIES = 10;
export const MAX_METADATA_OCTETS = 2048;

export const sendMailRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to_address', 'subject', 'body'],
  properties: {
    to_address: {
      type: 'string',
      minLength: 3,
      maxLength: 254,
      description: 'A bare address (no display name); internationalized domains are delivered in punycode.',
      example: 'demo@mailinator.com',
    },
    subject: {
      type: 'string',
      maxLength: 998,
      pattern: SUBJECT_PATTERN,
      description:
        'One line, shown to the recipient exactly as given (encoded-word syntax included). Not blank: empty or whitespace-only is refused (field.blank).',
      example: 'some subject',
    },
    body: {
      type: 'string',
      pattern: TEXT_PATTERN,
      description: 'Plain text; with `html`, the text alternative.',
      example: 'some mail body\nwith a second line\n',
    },
    html: {
      type: 'string',
      minLength: 1,
      pattern: TEXT_PATTERN,
      description:
        'Optional HTML part: the mail becomes multipart/alternative with `body` as its text part. Nothing it references is fetched or attached.',
      example: '<p>some mail body</p>',
    },
    cc: addressList('Optional Cc recipients, bare addresses. to_address, cc and bcc together: at most MAX_RECIPIENTS.'),
    bcc: addressList(
      'Optional Bcc recipients, bare addresses: they are on the SMTP envelope only, never in a header of the message.',
    ),
    reply_to: { ...addressSchema, description: 'Optional Reply-To, one bare address.', example: 'support@example.com' },
    tags: {
      type: 'array',
      maxItems: MAX_TAGS,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 64, pattern: LABEL_PATTERN },
      description: `Optional, up to ${MAX_TAGS} distinct tags ([A-Za-z0-9_.-]{1,64}) for correlation: in the email.sent event and the log line, never in the mail.`,
      example: ['welcome', 'campaign-42'],
    },
    metadata: {
      type: 'object',
      maxProperties: MAX_METADATA_ENTRIES,
      propertyNames: { type: 'string', minLength: 1, maxLength: 40, pattern: LABEL_PATTERN },
      additionalProperties: { type: 'string', maxLength: 256, pattern: SUBJECT_PATTERN },
      description: `Optional, up to ${MAX_METADATA_ENTRIES} string values under keys of [A-Za-z0-9_.-]{1,40}, keys and values together at most ${MAX_METADATA_OCTETS} UTF-8 octets: in the email.sent event and the log line, never in the mail.`,
      example: { campaignId: 'c-42', userId: 'u-7' },
    },
    attachments: {
      type: 'array',
      maxItems: SCHEMA_MAX_ATTACHMENTS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['filename', 'content'],
        properties: {
          filename: {
            type: 'string',
            maxLength: 255,
            pattern: FILENAME_PATTERN,
            description:
              'The name the recipient sees: no path parts, no control characters; non-ASCII names are encoded per RFC 2231. Executables and scripts (.exe, .js, .bat, … : docs/api.md) are refused.',
            example: 'invoice-42.pdf',
          },
          content: {
            type: 'string',
            description: 'The file, standard base64 with padding, no line breaks.',
            example: 'JVBERi0xLjQKJcfsj6IK',
          },
          content_type: {
            type: 'string',
            maxLength: 127,
            pattern: CONTENT_TYPE_PATTERN,
            description: 'type/subtype; taken from the file name when missing.',
            example: 'application/pdf',
          },
          content_id: {
            type: 'string',
            maxLength: 200,
            pattern: CONTENT_ID_PATTERN,
            description:
              'Makes the part inline: the HTML refers to it as cid:<content_id>, and the HTML and its inline parts become multipart/related.',
            example: 'logo@example.com',
          },
          disposition: {
            enum: ['attachment', 'inline'],
            description: 'Default: inline with a content_id, attachment without.',
          },
        },
      },
      description:
        'Optional files: at most MAX_ATTACHMENTS (20), decoded together at most MAX_ATTACHMENT_BYTES (10 MiB; over it 413 email.attachment.toolarge). The email.sent event counts them and their bytes, never their names or content.',
    },
    stream: {
      enum: ['transactional', 'broadcast'],
      description:
        "The message stream (as Postmark separates them): `transactional` (the default: mail a user asked for, such as a password reset) or `broadcast` (campaign and bulk mail; needs the role SEND_BROADCAST_REQUIRED_ROLE besides the send role). A broadcast mail carries a one-click unsubscribe link (RFC 8058: `List-Unsubscribe` and `List-Unsubscribe-Post`, both DKIM-signed) for its one recipient, so it has no cc or bcc unless it brings its own `list_unsubscribe`. An unsubscribe stops only the caller's broadcast mail to that address. Carried into the email.sent event and the timeline.",
      example: 'transactional',
    },
    list_unsubscribe: {
      type: 'string',
      maxLength: 2048,
      description:
        'Your own one-click unsubscribe URL (https, printable ASCII without `"`, `<` or `>`): the mail carries it in `List-Unsubscribe`, with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, instead of ours, and the unsubscribes are yours to keep. Any stream. Your endpoint must take RFC 8058\'s POST.',
      example: 'https://campaigns.example.com/unsubscribe/8f2c1e',
    },
    sandbox: {
      type: 'boolean',
      description:
        'true: the request is validated and the message built (its Message-ID answered), but nothing is sent and no event published; the answer says `sandbox: true`.',
      example: false,
    },
  },
} as const;

export const sendMailResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['messageId'],
  properties: {
    messageId: { type: 'string', description: 'The Message-ID the mail was sent with (in a sandbox: built with).' },
    accepted: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Only when some recipients were left out (on the suppression list, or refused by the SMTP server) and the mail went to the others: the recipients it went to (to_address, cc and bcc, as delivered).',
    },
    rejected: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address'],
        properties: {
          address: { type: 'string' },
          replyCode: {
            type: 'integer',
            description: 'A refusal by the SMTP server: its reply code to RCPT TO, 5xx permanent, 4xx temporary.',
          },
          reason: {
            const: 'suppressed',
            description:
              'The address is on the suppression list (a hard bounce, a complaint, or by hand): not sent to.',
          },
        },
      },
      description:
        'Only with `accepted`: the recipients the mail did not go to, each with the SMTP reply code that refused it or reason `suppressed`.',
    },
    sandbox: { const: true, description: 'Only for a sandbox request: nothing was sent.' },
  },
} as const;

/** The schema's own cap on a batch, above any MAX_BATCH_SIZE worth setting (the setting is checked after). */
export const SCHEMA_MAX_BATCH = 1000;

/**
 * The batch as its validator sees it: the items are not looked at here; each is checked on its own against
 * sendMailRequestSchema, so that one bad mail never fails the others. The spec publishes the items' schema.
 */
export const sendMailBatchRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['messages'],
  properties: {
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: SCHEMA_MAX_BATCH,
      description:
        'One to MAX_BATCH_SIZE (100) mails, each shaped like a single send without `attachments` (send mails with attachments one by one). Each is validated, checked against the suppression list, sent and evented on its own.',
    },
  },
} as const;

/** Where one batch item ended. */
export const BATCH_ITEM_STATUSES = ['sent', 'sandbox', 'failed', 'unknown', 'not_attempted'] as const;

export const sendMailBatchResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      description: 'One result per item of `messages`, in the same order.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['index', 'status'],
        properties: {
          index: { type: 'integer', minimum: 0, description: 'The item’s position in `messages`.' },
          status: {
            enum: BATCH_ITEM_STATUSES,
            description:
              '`sent`: the SMTP server accepted this mail, once. `sandbox`: validated and built, not sent. `failed`: no mail left (`code` says why, as a single send’s error would). `unknown`: the whole message was written and no reply came (`code` email.send.unknown, with the `messageId` to reconcile). `not_attempted`: never started, because the request’s deadline passed, the instance is draining or the client went away (`code` says which); it will never be sent later.',
          },
          code: { type: 'string', description: 'The error code of a failed, unknown or not_attempted item.' },
          details: {
            type: 'array',
            items: { type: 'object' },
            description: 'A failed item’s field problems, as a single send’s error body has them.',
          },
          messageId: { type: 'string', description: 'A sent, sandbox or unknown item’s Message-ID.' },
          accepted: sendMailResponseSchema.properties.accepted,
          rejected: sendMailResponseSchema.properties.rejected,
        },
      },
    },
  },
} as const;
