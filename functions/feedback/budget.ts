/**
 * feedback's time budget: the token check and one round of publishes (a report's events go out together)
 * must fit in REQUEST_TIMEOUT_SECONDS, and the drain must leave room for the events of a report already read.
 */
import { requestBudgetProblems, settleProblems } from '../../shared/config';
import { publishBound, type PublishBoundSettings } from '../../shared/events';

type BudgetSettings = PublishBoundSettings &
  Readonly<{
    REQUEST_TIMEOUT_SECONDS: number;
    SHUTDOWN_TIMEOUT_SECONDS: number;
    AUTH_JWKS_TIMEOUT_MS: number;
    AUTH_ISSUER?: string | undefined;
    AUTH_JWKS_URL?: string | undefined;
  }>;

/** Room beyond the publish for the answer and the dead-letter lines. */
const SETTLE_MARGIN_MS = 500;

export function feedbackSettleMs(config: PublishBoundSettings): number {
  return publishBound(config).ms + SETTLE_MARGIN_MS;
}

export function feedbackBudgetProblems(config: BudgetSettings): string[] {
  const bound = publishBound(config);
  return [
    ...requestBudgetProblems(config, [
      ...(config.AUTH_ISSUER !== undefined || config.AUTH_JWKS_URL !== undefined
        ? [{ setting: 'AUTH_JWKS_TIMEOUT_MS', ms: config.AUTH_JWKS_TIMEOUT_MS }]
        : []),
      { setting: bound.setting, ms: bound.ms },
    ]),
    ...settleProblems(config, {
      ms: feedbackSettleMs(config),
      what: 'the events of reports already read',
      setting: bound.setting,
    }),
  ];
}
