/**
 * The send-mail request: its JSON Schema (also published in the OpenAPI spec), parsing and validation.
 * Schema checks come first; the address rules a schema cannot say come after.
 */
import Ajv, { type ErrorObject } from 'ajv';
import type { FieldProblem } from '../../shared/errors';
import { checkAddress } from './address';
import { emailError } from './errors';

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
    subject: { type: 'string', maxLength: 998, pattern: SUBJECT_PATTERN, example: 'some subject' },
    body: { type: 'string', pattern: TEXT_PATTERN, description: 'Plain text.', example: 'some mail body\nwith a second line\n' },
  },
} as const;

export const sendMailResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['messageId'],
  properties: { messageId: { type: 'string', description: 'The Message-ID the mail was sent with.' } },
} as const;

/** A validated request, with the recipient normalized for delivery. */
export interface SendMailRequest {
  readonly toAddress: string;
  readonly subject: string;
  readonly body: string;
}

const validate = new Ajv({ allErrors: true, strict: true, keywords: ['example'] }).compile(sendMailRequestSchema);

export function parseSendMailRequest(raw: Buffer): SendMailRequest {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw emailError('email.parse.error');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw emailError('email.parse.error');
  if (!validate(value)) throw emailError('email.validation.error', { details: toProblems(validate.errors ?? []) });
  const address = checkAddress(value.to_address);
  if (!address.ok) {
    throw emailError('email.validation.error', { details: [{ field: 'to_address', code: address.problem }] });
  }
  return { toAddress: address.address, subject: value.subject, body: value.body };
}

const KEYWORD_CODES: Readonly<Record<string, string>> = {
  required: 'field.required',
  additionalProperties: 'field.unknown',
  type: 'field.type',
  maxLength: 'field.too_long',
  minLength: 'field.too_short',
  pattern: 'field.forbidden_character',
};

const MAX_FIELD_NAME = 64;

function toProblems(errors: readonly ErrorObject[]): FieldProblem[] {
  return errors.map((error) => {
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    const field = params.missingProperty ?? params.additionalProperty ?? error.instancePath.slice(1);
    // Unknown field names come from the caller: echo them bounded.
    return { field: field.slice(0, MAX_FIELD_NAME), code: KEYWORD_CODES[error.keyword] ?? `field.${error.keyword}` };
  });
}
