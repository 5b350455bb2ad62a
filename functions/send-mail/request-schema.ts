/**
 * The send-mail request and response schemas: published in the OpenAPI spec, and compiled at build time
 * (`make generate`) into the validator the function runs, so ajv's compiler never loads at start.
 */

/** No C0 controls but TAB, no DEL, no lone surrogates: a subject must stay one header line. */
const SUBJECT_PATTERN = '^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F\\uD800-\\uDFFF]*$';
/** Text: no NUL and no lone surrogates. */
const TEXT_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';

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
      description: 'Plain text.',
      example: 'some mail body\nwith a second line\n',
    },
  },
} as const;

export const sendMailResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['messageId'],
  properties: { messageId: { type: 'string', description: 'The Message-ID the mail was sent with.' } },
} as const;
