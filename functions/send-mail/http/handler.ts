/** The HTTP adapter of send-mail: request → validated input → use case → result. */
import { callerOf, type Authenticator } from '../../../shared/auth';
import { requireJsonContentType, type HttpResult, type IncomingRequest, type Route } from '../../../shared/http';
import { currentTrace, newTrace, type TraceContext } from '../../../shared/tracing';
import { SEND_MAIL_PATH } from '../identity';
import { idempotencyKeyOf, keyHashOf, type Guard } from '../idempotency';
import { DEFAULT_REQUEST_LIMITS, parseSendMailRequest, type RequestLimits } from './request';
import { deliveredLogFields, sendMail, type SendMailCorrelation, type SendMailPorts } from '../send-mail';

export interface SendMailAccess {
  readonly authenticator: Authenticator;
  readonly requiredRole: string;
}

export function sendMailRoutes(
  ports: SendMailPorts,
  access: SendMailAccess,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
  idempotency?: Guard,
): Route[] {
  return [
    {
      method: 'POST',
      path: SEND_MAIL_PATH,
      handle: async (request) => {
        // Before anything reads the body: an unauthenticated request never reaches validation or SMTP.
        const claims = await access.authenticator.authorize(request.headers, access.requiredRole);
        requireJsonContentType(request.headers['content-type']);
        const trace = currentTrace() ?? newTrace();
        const key = idempotency ? idempotencyKeyOf(request) : undefined;
        const caller = callerOf(claims);
        if (idempotency === undefined || key === undefined) return send(request, trace, ports, limits, { caller });
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
          () => send(request, trace, ports, limits, { caller, idempotencykey: keyHash }),
        );
      },
    },
  ];
}

async function send(
  request: IncomingRequest,
  trace: TraceContext,
  ports: SendMailPorts,
  limits: RequestLimits,
  correlation: SendMailCorrelation,
): Promise<HttpResult> {
  const input = parseSendMailRequest(request.body, limits);
  const result = await sendMail(input, trace, ports, request.signal, correlation, request.deadlineAt);
  request.annotate?.({ email: deliveredLogFields(input, result) });
  return { status: 200, json: result };
}
