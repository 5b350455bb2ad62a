/**
 * The send-mail request: parsing and validation against its JSON Schema (request-schema.ts, also published in
 * the OpenAPI spec). Schema checks come first; the address and subject rules a schema cannot say come after.
 */
import { isUtf8 } from 'node:buffer';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { httpError, type FieldProblem } from '../../shared/errors';
import { checkAddress } from './address';
import { emailError } from './errors';
import { jsonSyntaxErrorOffset } from './json-syntax';
import validateRequest from './generated/send-mail-request.validator';

/** A validated request, with the recipient normalized for delivery. */
export interface SendMailRequest {
  readonly toAddress: string;
  readonly subject: string;
  readonly body: string;
}

interface SendMailBody {
  readonly to_address: string;
  readonly subject: string;
  readonly body: string;
}

// Precompiled from sendMailRequestSchema by `make generate` (ajv standalone code); CI fails when it drifts.
const validate = validateRequest as ValidateFunction<SendMailBody>;

export function parseSendMailRequest(raw: Buffer): SendMailRequest {
  // Decoding would turn bad bytes into U+FFFD, and the recipient would read text nobody sent.
  if (!isUtf8(raw)) throw httpError('http.mediatype.unsupported');
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Where, never what: the body may hold a mail nobody else should read.
    throw emailError('email.parse.error', {
      details: [{ field: 'body', code: 'json.syntax', position: jsonSyntaxErrorOffset(text) ?? 0 }],
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw emailError('email.parse.error', { details: [{ field: 'body', code: 'json.not_object' }] });
  if (!validate(value)) throw emailError('email.validation.error', { details: toProblems(validate.errors ?? []) });
  const address = checkAddress(value.to_address);
  const problems: FieldProblem[] = [];
  if (!address.ok) problems.push({ field: 'to_address', code: address.problem });
  // Mail clients show no Subject for a blank one (nodemailer even drops the header): refused, not lost.
  if (BLANK.test(value.subject)) problems.push({ field: 'subject', code: 'field.blank' });
  if (!address.ok || problems.length > 0) throw emailError('email.validation.error', { details: problems });
  return { toAddress: address.address, subject: value.subject, body: value.body };
}

/** Empty or nothing but Unicode whitespace. */
const BLANK = /^\s*$/u;

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
