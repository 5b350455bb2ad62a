/** The HTTP adapter of send-mail: request → validated input → use case → result, for one mail or a batch. */
import { callerOf, holdsRole, roleMissing, subjectOf, type Authenticator } from '../../../shared/auth';
import { requireJsonContentType, type HttpResult, type IncomingRequest, type Route } from '../../../shared/http';
import type { Logger } from '../../../shared/logging';
import { currentTrace, newTrace, type TraceContext } from '../../../shared/tracing';
import { sendBatch, type BatchResult } from '../batch';
import type { RateLimiter } from '../rate-limit';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../identity';
import { idempotencyKeyOf, keyHashOf, type Guard } from '../idempotency';
import { parseBatchRequest, type BatchLimits } from './batch-request';
import { DEFAULT_REQUEST_LIMITS, parseSendMailRequest } from './request';
import { deliveredLogFields, sendMail, type SendMailCorrelation, type SendMailPorts } from '../send-mail';

export interface SendMailAccess {
  readonly authenticator: Authenticator;
  readonly requiredRole: string;
  /** Needed besides `requiredRole` for the broadcast stream; absent: anyone who may send may broadcast. */
  readonly broadcastRole?: string;
  /** Where the token lists its roles (AUTH_ROLES_CLAIM). */
  readonly rolesClaim?: string;
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

/** Who sends: the correlation the events carry, and the name the rate limit overrides use. */
interface Sender {
  readonly correlation: SendMailCorrelation & { readonly caller: string };
  /** The token's sub, else azp/client_id. */
  readonly subject: string | undefined;
  /** Whether the token holds the broadcast role. */
  readonly broadcasts: boolean;
}

type Send = (request: IncomingRequest, trace: TraceContext, sender: Sender) => Promise<HttpResult>;

export function sendMailRoutes(
  ports: SendMailPorts,
  access: SendMailAccess,
  limits: SendMailLimits = DEFAULT_SEND_MAIL_LIMITS,
  idempotency?: Guard,
  logger?: Logger,
  rateLimit?: RateLimiter,
): Route[] {
  /** Takes the mails a request would send from its caller's bucket: the answer's headers, or 429. */
  const limit = async (sender: Sender, mails: number): Promise<Record<string, string> | undefined> =>
    rateLimit && mails > 0 ? rateLimit.take(sender.correlation.caller, sender.subject, mails) : undefined;
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
      const subject = subjectOf(claims);
      const broadcasts =
        access.broadcastRole === undefined || holdsRole(claims, access.rolesClaim ?? '', access.broadcastRole);
      if (idempotency === undefined || key === undefined)
        return send(request, trace, { correlation: { caller }, subject, broadcasts });
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
        () => send(request, trace, { correlation: { caller, idempotencykey: keyHash }, subject, broadcasts }),
      );
    };

  return [
    {
      method: 'POST',
      path: SEND_MAIL_PATH,
      handle: route(async (request, trace, sender) => {
        const input = parseSendMailRequest(request.body, limits);
        if (input.stream === 'broadcast' && !sender.broadcasts) throw roleMissing();
        const headers = await limit(sender, input.sandbox ? 0 : 1);
        const result = await sendMail(input, trace, ports, request.signal, sender.correlation, request.deadlineAt);
        request.annotate?.({ email: deliveredLogFields(input, result) });
        return { status: 200, json: result, ...(headers ? { headers } : {}) };
      }),
    },
    {
      method: 'POST',
      path: SEND_MAIL_BATCH_PATH,
      handle: route(async (request, trace, sender) => {
        // Roles apply per item: a broadcast item without the broadcast role is refused on its own.
        const items = parseBatchRequest(request.body, limits).map((item) =>
          'request' in item && item.request.stream === 'broadcast' && !sender.broadcasts
            ? { refused: roleMissing() }
            : item,
        );
        // A batch counts the mails it would send: its valid items that are not sandbox requests.
        const headers = await limit(sender, items.filter((item) => 'request' in item && !item.request.sandbox).length);
        const result = await sendBatch(items, ports, {
          trace,
          correlation: sender.correlation,
          concurrency: limits.batchConcurrency,
          signal: request.signal,
          ...(request.deadlineAt === undefined ? {} : { deadlineAt: request.deadlineAt }),
          onUnexpected: (err) => logger?.error({ err }, 'unexpected error in a batch item'),
        });
        request.annotate?.({ batch: batchLogFields(result) });
        return { status: 200, json: result, ...(headers ? { headers } : {}) };
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
