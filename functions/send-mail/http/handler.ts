/** The HTTP adapter of send-mail: request → validated input → use case → result, for one mail or a batch. */
import { callerOf, type Authenticator } from '../../../shared/auth';
import { requireJsonContentType, type HttpResult, type IncomingRequest, type Route } from '../../../shared/http';
import type { Logger } from '../../../shared/logging';
import { currentTrace, newTrace, type TraceContext } from '../../../shared/tracing';
import { sendBatch, type BatchResult } from '../batch';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../identity';
import { idempotencyKeyOf, keyHashOf, type Guard } from '../idempotency';
import { parseBatchRequest, type BatchLimits } from './batch-request';
import { DEFAULT_REQUEST_LIMITS, parseSendMailRequest } from './request';
import { deliveredLogFields, sendMail, type SendMailCorrelation, type SendMailPorts } from '../send-mail';

export interface SendMailAccess {
  readonly authenticator: Authenticator;
  readonly requiredRole: string;
}

export interface SendMailLimits extends BatchLimits {
  /** Items of one batch in flight at once: the SMTP pool's connections. */
  readonly batchConcurrency: number;
}

export const DEFAULT_SEND_MAIL_LIMITS: SendMailLimits = {
  ...DEFAULT_REQUEST_LIMITS,
  maxBatchSize: 100,
  batchConcurrency: 5,
};

type Send = (request: IncomingRequest, trace: TraceContext, correlation: SendMailCorrelation) => Promise<HttpResult>;

export function sendMailRoutes(
  ports: SendMailPorts,
  access: SendMailAccess,
  limits: SendMailLimits = DEFAULT_SEND_MAIL_LIMITS,
  idempotency?: Guard,
  logger?: Logger,
): Route[] {
  /** Auth, content type and an Idempotency-Key are the same for one mail and a batch. */
  const route =
    (send: Send): Route['handle'] =>
    async (request) => {
      // Before anything reads the body: an unauthenticated request never reaches validation or SMTP.
      const claims = await access.authenticator.authorize(request.headers, access.requiredRole);
      requireJsonContentType(request.headers['content-type']);
      const trace = currentTrace() ?? newTrace();
      const key = idempotency ? idempotencyKeyOf(request) : undefined;
      const caller = callerOf(claims);
      if (idempotency === undefined || key === undefined) return send(request, trace, { caller });
      const keyHash = keyHashOf(key);
      request.annotate?.({ idempotency: { key_hash: keyHash } });
      return idempotency.run(
        {
          caller,
          key,
          body: request.body,
          requestId: trace.traceId,
          onOutcome: (outcome) => request.annotate?.({ idempotency: { key_hash: keyHash, outcome } }),
        },
        () => send(request, trace, { caller, idempotencykey: keyHash }),
      );
    };

  return [
    {
      method: 'POST',
      path: SEND_MAIL_PATH,
      handle: route(async (request, trace, correlation) => {
        const input = parseSendMailRequest(request.body, limits);
        const result = await sendMail(input, trace, ports, request.signal, correlation, request.deadlineAt);
        request.annotate?.({ email: deliveredLogFields(input, result) });
        return { status: 200, json: result };
      }),
    },
    {
      method: 'POST',
      path: SEND_MAIL_BATCH_PATH,
      handle: route(async (request, trace, correlation) => {
        const items = parseBatchRequest(request.body, limits);
        const result = await sendBatch(items, ports, {
          trace,
          correlation,
          concurrency: limits.batchConcurrency,
          signal: request.signal,
          ...(request.deadlineAt === undefined ? {} : { deadlineAt: request.deadlineAt }),
          onUnexpected: (err) => logger?.error({ err }, 'unexpected error in a batch item'),
        });
        request.annotate?.({ batch: batchLogFields(result) });
        return { status: 200, json: result };
      }),
    },
  ];
}

/** The batch on the request's one access-log line: how many items ended how (never addresses). */
function batchLogFields(result: BatchResult): Record<string, number> {
  const counts: Record<string, number> = { items: result.results.length };
  for (const item of result.results) counts[item.status] = (counts[item.status] ?? 0) + 1;
  return counts;
}
