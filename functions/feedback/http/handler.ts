/** The HTTP adapter of feedback: the MTA's request → the report's bytes → use case → 202 with what was read. */
import type { Authenticator } from '../../../shared/auth';
import { requireMediaType, type Route } from '../../../shared/http';
import { currentTrace, newTrace } from '../../../shared/tracing';
import { feedbackError } from '../errors';
import { receiveReport, type FeedbackEventConfig, type FeedbackPorts } from '../feedback';
import { FEEDBACK_PATH } from '../identity';

export interface FeedbackAccess {
  readonly authenticator: Authenticator;
  readonly requiredRole: string;
}

/** The one media type a report arrives as: the whole inbound mail, as the MTA received it. */
export const REPORT_MEDIA_TYPE = 'message/rfc822';

export function feedbackRoutes(ports: FeedbackPorts, access: FeedbackAccess, config: FeedbackEventConfig): Route[] {
  return [
    {
      method: 'POST',
      path: FEEDBACK_PATH,
      handle: async (request) => {
        // Before the body is looked at: an unauthenticated caller never reaches the parser.
        await access.authenticator.authorize(request.headers, access.requiredRole);
        requireMediaType(request.headers['content-type'], REPORT_MEDIA_TYPE);
        if (request.body.length === 0) throw feedbackError('feedback.report.empty');
        const { result, log } = await receiveReport(request.body, currentTrace() ?? newTrace(), ports, config);
        request.annotate?.(log);
        return { status: 202, json: result };
      },
    },
  ];
}
