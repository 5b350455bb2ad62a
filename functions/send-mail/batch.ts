/**
 * The batch use case: each item is sent as a single send would be (sendMail: suppressions, delivery, its
 * own event), at most `concurrency` at a time over the pooled SMTP connections, within the request's one
 * deadline. Every item gets a truthful result of its own; an item not started when the request's signal
 * aborts (deadline, drain, client gone) is `not_attempted` and is never sent later.
 */
import { isAppError, type ErrorCode, type FieldProblem } from '../../shared/errors';
import type { TraceContext } from '../../shared/tracing';
import { OutcomeUnknownError } from './errors';
import type { BatchItem } from './http/batch-request';
import type { BATCH_ITEM_STATUSES } from './http/request-schema';
import { sendMail, type SendMailCorrelation, type SendMailPorts, type SendMailResult } from './send-mail';

export type BatchItemStatus = (typeof BATCH_ITEM_STATUSES)[number];

export interface BatchItemResult extends Partial<Omit<SendMailResult, 'sandbox'>> {
  readonly index: number;
  readonly status: BatchItemStatus;
  readonly code?: ErrorCode;
  readonly details?: readonly FieldProblem[];
}

export interface BatchResult {
  readonly results: readonly BatchItemResult[];
}

export interface BatchRun {
  readonly trace: TraceContext;
  readonly signal?: AbortSignal;
  /** When the request's budget ends, on performance.now()'s clock: no item starts after it. */
  readonly deadlineAt?: number;
  readonly correlation?: SendMailCorrelation;
  /** How many items are in flight at most: the SMTP pool's connections. */
  readonly concurrency: number;
  /** An item that failed for a reason no error code names (a bug): reported, answered server.internal.error. */
  readonly onUnexpected?: (err: unknown) => void;
}

export async function sendBatch(
  items: readonly BatchItem[],
  ports: SendMailPorts,
  run: BatchRun,
): Promise<BatchResult> {
  const results: BatchItemResult[] = new Array<BatchItemResult>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await runItem(index, items[index] as BatchItem, ports, run);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(run.concurrency, items.length)) }, worker));
  return { results };
}

async function runItem(index: number, item: BatchItem, ports: SendMailPorts, run: BatchRun): Promise<BatchItemResult> {
  if ('refused' in item)
    return { index, status: 'failed', code: item.refused.code, ...detailsOf(item.refused.details) };
  const late = lateReason(run);
  if (late !== undefined) return { index, status: 'not_attempted', code: late };
  try {
    const { sandbox, ...result } = await sendMail(
      item.request,
      run.trace,
      ports,
      run.signal,
      run.correlation,
      run.deadlineAt,
    );
    return { index, status: sandbox ? 'sandbox' : 'sent', ...result };
  } catch (err) {
    if (err instanceof OutcomeUnknownError)
      return { index, status: 'unknown', code: err.code, messageId: err.messageId };
    if (isAppError(err)) return { index, status: 'failed', code: err.code, ...detailsOf(err.details) };
    run.onUnexpected?.(err);
    return { index, status: 'failed', code: 'server.internal.error' };
  }
}

/** Why no further item may start: the request's signal aborted, or its deadline came before the timer fired. */
function lateReason(run: BatchRun): ErrorCode | undefined {
  const reason: unknown = run.signal?.aborted ? run.signal.reason : undefined;
  if (isAppError(reason)) return reason.code;
  if (run.signal?.aborted) return 'http.client.closed';
  if (run.deadlineAt !== undefined && performance.now() >= run.deadlineAt) return 'http.request.timeout';
  return undefined;
}

function detailsOf(details: readonly FieldProblem[]): { readonly details?: readonly FieldProblem[] } {
  return details.length > 0 ? { details } : {};
}
