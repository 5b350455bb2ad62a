/**
 * feedback's time budget: the token check and one round of publishes (a report's events go out together)
 * must fit in REQUEST_TIMEOUT_SECONDS, and the drain must leave room for the events of a report already read.
 */
import { jwksBudgetShares } from '../../shared/auth';
import { requestBudgetProblems, settleProblems } from '../../shared/config';
import { publishBound, publishSettleMs, type PublishBoundSettings } from '../../shared/events';

type BudgetSettings = PublishBoundSettings &
  Readonly<{
    REQUEST_TIMEOUT_SECONDS: number;
    SHUTDOWN_TIMEOUT_SECONDS: number;
    AUTH_JWKS_TIMEOUT_MS: number;
    AUTH_ISSUER?: string | undefined;
    AUTH_JWKS_URL?: string | undefined;
  }>;

export function feedbackBudgetProblems(config: BudgetSettings): string[] {
  const bound = publishBound(config);
  return [
    ...requestBudgetProblems(config, [...jwksBudgetShares(config), { setting: bound.setting, ms: bound.ms }]),
    ...settleProblems(config, {
      ms: publishSettleMs(config),
      what: 'the events of reports already read',
      setting: bound.setting,
    }),
  ];
}
