/**
 * The send-mail request: parsing and validation against its JSON Schema (request-schema.ts, also published in
 * the OpenAPI spec). Schema checks come first; the address and subject rules a schema cannot say come after.
 */
import { isUtf8 } from 'node:buffer';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { httpError, type FieldProblem } from '../../../shared/errors';
import { emailError } from '../errors';
import { jsonSyntaxErrorOffset } from './json-syntax';
import { cutLongStrings } from './long-strings';
import { checkRecipients } from './recipients';
import { MAX_METADATA_OCTETS } from './request-schema';
import { checkAttachments, type Attachment, type AttachmentField, type AttachmentLimits } from './attachments';
import validateRequest from './generated/send-mail-request.validator';

/**
 * The `field` of a problem with the request body as a whole (not JSON, not an object): `request`, never
 * `body`, which is the mail's own field (`body` field.required).
 */
export const REQUEST_FIELD = 'request';

/**
 * A validated request, with the recipients normalized for delivery. The optional fields are present only
 * when the caller sent them (and `sandbox` only when true), so an old-shape request parses as it always did.
 */
export interface SendMailRequest {
  readonly toAddress: string;
  readonly subject: string;
  readonly body: string;
  readonly html?: string;
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly replyTo?: string;
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly attachments?: readonly Attachment[];
  /** Only when the caller named one: absent is `transactional`. */
  readonly stream?: MessageStream;
  /** The caller's own one-click URL, instead of ours. */
  readonly listUnsubscribe?: string;
  readonly sandbox?: true;
}

export type MessageStream = 'transactional' | 'broadcast';

/** What the parser needs from the settings. */
export interface RequestLimits extends AttachmentLimits {
  /** to_address, cc and bcc together (MAX_RECIPIENTS). */
  readonly maxRecipients: number;
  /** The request without its attachments' content (MAX_BODY_BYTES): the route reads more only for those. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxRecipients: 50,
  maxBodyBytes: 65536,
  maxAttachments: 20,
  maxAttachmentBytes: 10 * 1024 * 1024,
};

interface SendMailBody {
  readonly to_address: string;
  readonly subject: string;
  readonly body: string;
  readonly html?: string;
  readonly cc?: string[];
  readonly bcc?: string[];
  readonly reply_to?: string;
  readonly tags?: string[];
  readonly metadata?: Record<string, string>;
  readonly attachments?: AttachmentField[];
  readonly stream?: MessageStream;
  readonly list_unsubscribe?: string;
  readonly sandbox?: boolean;
}

// Precompiled from sendMailRequestSchema by `make generate` (ajv standalone code); CI fails when it drifts.
const validate = validateRequest as ValidateFunction<SendMailBody>;

export function parseSendMailRequest(raw: Buffer, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): SendMailRequest {
  // Only a body over MAX_BODY_BYTES can hold an attachment's content too long to copy (long-strings.ts).
  const cut = raw.length > limits.maxBodyBytes ? cutLongStrings(raw, limits.maxBodyBytes) : undefined;
  const value = parseJsonObject(raw, limits.maxBodyBytes, cut?.text);
  // A long string anywhere but in an attachment's content is over MAX_BODY_BYTES by itself.
  if (cut && cutContents(value, cut.strings) !== cut.strings.size) throw httpError('http.body.toolarge');
  const body = schemaChecked(value);
  const contentOf = (content: string): string | Buffer => cut?.strings.get(content) ?? content;
  const contents = (body.attachments ?? []).map((attachment) => contentOf(attachment.content));
  // The route's larger limit is for attachments only: the rest keeps MAX_BODY_BYTES.
  const attachmentText = contents.reduce((sum, content) => sum + content.length, 0);
  if (raw.length - attachmentText > limits.maxBodyBytes) throw httpError('http.body.toolarge');
  return checkedRequest(body, limits, contentOf);
}

/** How many attachments' contents are strings cut out of the body (before the schema: any shape may come). */
function cutContents(value: object, strings: ReadonlyMap<string, Buffer>): number {
  const { attachments } = value as { attachments?: unknown };
  if (!Array.isArray(attachments)) return 0;
  return attachments.filter((attachment: unknown) => {
    const content = (attachment as { content?: unknown } | null)?.content;
    return typeof content === 'string' && strings.has(content);
  }).length;
}

/**
 * One mail of a batch, already parsed with the batch: the single send's rules, its size (as JSON) within
 * MAX_BODY_BYTES, and no attachments (a batch leaves them out: send those one by one).
 */
export function parseBatchItem(item: unknown, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): SendMailRequest {
  const value = asObject(item);
  if ('attachments' in value)
    throw emailError('email.validation.error', { details: [{ field: 'attachments', code: 'field.not_in_batch' }] });
  const body = schemaChecked(value);
  if (Buffer.byteLength(JSON.stringify(body)) > limits.maxBodyBytes) throw httpError('http.body.toolarge');
  return checkedRequest(body, limits);
}

/** A JSON value that must be an object (the body, or a batch's item): email.parse.error json.not_object else. */
function asObject(value: unknown): object {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw emailError('email.parse.error', { details: [{ field: REQUEST_FIELD, code: 'json.not_object' }] });
  return value;
}

/** The request's JSON Schema (the generated validator): email.validation.error naming each problem. */
function schemaChecked(value: object): SendMailBody {
  if (!validate(value)) throw emailError('email.validation.error', { details: toProblems(validate.errors ?? []) });
  return value;
}

/**
 * The body as a JSON object: UTF-8 (415 otherwise), JSON (email.parse.error with the position where it
 * breaks), an object (json.not_object). Shared by the single send and the batch.
 */
export function parseJsonObject(raw: Buffer, maxBodyBytes: number, text?: string): object {
  // Decoding would turn bad bytes into U+FFFD, and the recipient would read text nobody sent.
  if (!isUtf8(raw)) throw httpError('http.mediatype.unsupported');
  let value: unknown;
  try {
    value = JSON.parse(text ?? raw.toString('utf8'));
  } catch {
    // Over the limit of everything but attachments, and no JSON to find any in: too large, as it always was.
    if (raw.length > maxBodyBytes) throw httpError('http.body.toolarge');
    // Where, never what: the body may hold a mail nobody else should read.
    throw emailError('email.parse.error', {
      details: [
        { field: REQUEST_FIELD, code: 'json.syntax', position: jsonSyntaxErrorOffset(raw.toString('utf8')) ?? 0 },
      ],
    });
  }
  return asObject(value);
}

/** The rules a schema cannot say, on a body the schema let through. */
function checkedRequest(
  value: SendMailBody,
  limits: RequestLimits,
  contentOf?: (content: string) => string | Buffer,
): SendMailRequest {
  const recipients = checkRecipients(value, limits.maxRecipients);
  const problems: FieldProblem[] = recipients.ok ? [] : [...recipients.problems];
  // Mail clients show no Subject for a blank one (nodemailer even drops the header): refused, not lost.
  if (BLANK.test(value.subject)) problems.push({ field: 'subject', code: 'field.blank' });
  if (value.metadata !== undefined && metadataOctets(value.metadata) > MAX_METADATA_OCTETS)
    problems.push({ field: 'metadata', code: 'field.too_long' });
  if (value.list_unsubscribe !== undefined && !isOneClickUrl(value.list_unsubscribe))
    problems.push({ field: 'list_unsubscribe', code: 'field.url' });
  // Our one-click link names one recipient: who clicks it leaves the stream.
  if (value.stream === 'broadcast' && value.list_unsubscribe === undefined)
    for (const field of ['cc', 'bcc'] as const)
      if (value[field]?.length) problems.push({ field, code: 'stream.one_recipient' });
  if (!recipients.ok || problems.length > 0) throw emailError('email.validation.error', { details: problems });
  const attachments =
    value.attachments === undefined ? undefined : checkAttachments(value.attachments, limits, contentOf);
  const { to, cc, bcc, replyTo } = recipients.recipients;
  return {
    toAddress: to,
    subject: value.subject,
    body: value.body,
    ...(value.html === undefined ? {} : { html: value.html }),
    ...(value.cc === undefined ? {} : { cc }),
    ...(value.bcc === undefined ? {} : { bcc }),
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(value.tags === undefined ? {} : { tags: value.tags }),
    ...(value.metadata === undefined ? {} : { metadata: { ...value.metadata } }),
    ...(attachments === undefined ? {} : { attachments }),
    ...(value.stream === undefined ? {} : { stream: value.stream }),
    ...(value.list_unsubscribe === undefined ? {} : { listUnsubscribe: value.list_unsubscribe }),
    ...(value.sandbox === true ? { sandbox: true as const } : {}),
  };
}

/** RFC 8058 wants HTTPS; the header holds it between angle brackets, so none of `"<>`, no space, ASCII only. */
function isOneClickUrl(text: string): boolean {
  return /^https:\/\/[!#-;=?-~]+$/.test(text) && (URL.parse(text)?.hostname ?? '') !== '';
}

function metadataOctets(metadata: Readonly<Record<string, string>>): number {
  return Object.entries(metadata).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
}

/** Empty or nothing but Unicode whitespace. */
const BLANK = /^\s*$/u;

const KEYWORD_CODES: Readonly<Record<string, string>> = {
  required: 'field.required',
  additionalProperties: 'field.unknown',
  type: 'field.type',
  maxLength: 'field.too_long',
  minLength: 'field.too_short',
  minItems: 'field.too_short',
  pattern: 'field.forbidden_character',
  maxItems: 'field.too_many',
  maxProperties: 'field.too_many',
  uniqueItems: 'field.duplicate',
  propertyNames: 'field.key_invalid',
};

const MAX_FIELD_NAME = 64;

export function toProblems(errors: readonly ErrorObject[]): FieldProblem[] {
  // A bad metadata key is reported once, as propertyNames, not again by the keyword inside it.
  return errors
    .filter((error) => !('propertyName' in error))
    .map((error) => {
      const params = error.params as { missingProperty?: string; additionalProperty?: string };
      const field = params.missingProperty ?? params.additionalProperty ?? error.instancePath.slice(1);
      // Unknown field names come from the caller: echo them bounded.
      return { field: field.slice(0, MAX_FIELD_NAME), code: KEYWORD_CODES[error.keyword] ?? `field.${error.keyword}` };
    });
}
