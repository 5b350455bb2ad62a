/**
 * The batch request (POST /api/rest/v1/sendmail/batch): the envelope is checked as a whole (not JSON, no
 * `messages`, too many: 400 and nothing sent), then each item on its own with the single send's rules, so
 * that one bad mail is that item's answer and never the others'.
 */
import type { ValidateFunction } from 'ajv';
import { httpError, isAppError, type AppError } from '../../../shared/errors';
import { emailError } from '../errors';
import validateBatch from './generated/send-mail-batch-request.validator';
import { parseBatchItem, parseJsonObject, toProblems, type RequestLimits, type SendMailRequest } from './request';

export interface BatchLimits extends RequestLimits {
  /** The most mails in one batch (MAX_BATCH_SIZE). */
  readonly maxBatchSize: number;
}

/** One item as parsed: the mail to send, or why it will not be. */
export type BatchItem = { readonly request: SendMailRequest } | { readonly refused: AppError };

// Precompiled from sendMailBatchRequestSchema by `make generate`; CI fails when it drifts.
const validate = validateBatch as ValidateFunction<{ messages: unknown[] }>;

/** JSON around the items: `{"messages":[` … `]}` and a comma between two. */
const ENVELOPE_BYTES = 1024;

/** The largest batch body: each of MAX_BATCH_SIZE mails within MAX_BODY_BYTES. */
export function batchBodyLimit(limits: Pick<BatchLimits, 'maxBatchSize' | 'maxBodyBytes'>): number {
  return limits.maxBatchSize * (limits.maxBodyBytes + 1) + ENVELOPE_BYTES;
}

export function parseBatchRequest(raw: Buffer, limits: BatchLimits): BatchItem[] {
  const limit = batchBodyLimit(limits);
  if (raw.length > limit) throw httpError('http.body.toolarge');
  const value = parseJsonObject(raw, limit);
  if (!validate(value)) throw emailError('email.validation.error', { details: toProblems(validate.errors ?? []) });
  if (value.messages.length > limits.maxBatchSize)
    throw emailError('email.validation.error', { details: [{ field: 'messages', code: 'field.too_many' }] });
  return value.messages.map((item) => {
    try {
      return { request: parseBatchItem(item, limits) };
    } catch (err) {
      if (isAppError(err)) return { refused: err };
      throw err;
    }
  });
}
