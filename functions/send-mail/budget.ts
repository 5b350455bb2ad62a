/**
 * send-mail's time budget: the shares of auth, the idempotency store, SMTP delivery and the event publish must nest inside
 * REQUEST_TIMEOUT_SECONDS, and the drain must leave room for the event of a mail already out. Settings
 * that cannot hold are refused at start, naming every setting involved.
 */
import { requestBudgetProblems, settleProblems, type BudgetShare } from '../../shared/config';
import { jwksBudgetShares } from '../../shared/auth';
import { databaseBudgetShare } from '../../shared/db';
import { publishBound, publishSettleMs, type PublishBoundSettings } from '../../shared/events';

type BudgetSettings = Readonly<
  Record<
    | 'REQUEST_TIMEOUT_SECONDS'
    | 'SHUTDOWN_TIMEOUT_SECONDS'
    | 'SMTP_SEND_TIMEOUT_SECONDS'
    | 'SMTP_CONNECTION_TIMEOUT_SECONDS'
    | 'SMTP_GREETING_TIMEOUT_SECONDS'
    | 'SMTP_SOCKET_TIMEOUT_SECONDS'
    | 'AUTH_JWKS_TIMEOUT_MS',
    number
  > &
    PublishBoundSettings & {
      readonly FEATURE_EMAIL_SENT_EVENT: boolean;
      readonly FEATURE_IDEMPOTENCY?: boolean;
      readonly IDEMPOTENCY_REDIS_URL?: string | undefined;
      readonly IDEMPOTENCY_REDIS_TIMEOUT_MS?: number;
      readonly RATE_LIMIT_PER_SECOND?: number;
      readonly RATE_LIMIT_REDIS_URL?: string | undefined;
      readonly RATE_LIMIT_REDIS_TIMEOUT_MS?: number;
      readonly AUTH_ISSUER?: string | undefined;
      readonly AUTH_JWKS_URL?: string | undefined;
      readonly SUPPRESSION_CHECK?: string;
      readonly DATABASE_CONNECT_TIMEOUT_MS?: number;
      readonly DATABASE_STATEMENT_TIMEOUT_MS?: number;
    }
>;

/**
 * The longest one event publish may take, as the transport sets it (shared/events: the POST's deadline, or
 * the Kafka client's bound and its breaker's backstop).
 */
export function eventPublishMaxMs(config: PublishBoundSettings): number {
  return publishBound(config).ms;
}

/** How long send-mail may still need once its requests are told to stop: the event of a mail already out. */
export function eventSettleMs(config: PublishBoundSettings & Pick<BudgetSettings, 'FEATURE_EMAIL_SENT_EVENT'>): number {
  return config.FEATURE_EMAIL_SENT_EVENT ? publishSettleMs(config) : 0;
}

const SMTP_PARTS = [
  'SMTP_CONNECTION_TIMEOUT_SECONDS',
  'SMTP_GREETING_TIMEOUT_SECONDS',
  'SMTP_SOCKET_TIMEOUT_SECONDS',
] as const;

export function timeBudgetProblems(config: BudgetSettings): string[] {
  const problems: string[] = [];
  for (const name of SMTP_PARTS) {
    const value = config[name];
    if (value > config.SMTP_SEND_TIMEOUT_SECONDS) {
      problems.push(
        `${name}: ${value} s is longer than SMTP_SEND_TIMEOUT_SECONDS (${config.SMTP_SEND_TIMEOUT_SECONDS} s), which bounds the whole delivery; lower it or raise SMTP_SEND_TIMEOUT_SECONDS`,
      );
    }
  }
  const shares: BudgetShare[] = [
    ...jwksBudgetShares(config),
    { setting: 'SMTP_SEND_TIMEOUT_SECONDS', ms: config.SMTP_SEND_TIMEOUT_SECONDS * 1000 },
    ...(config.FEATURE_EMAIL_SENT_EVENT ? [publishShare(config)] : []),
    // The suppression check's one query: a connection, then the statement.
    ...(config.SUPPRESSION_CHECK !== undefined && config.SUPPRESSION_CHECK !== 'off'
      ? [
          databaseBudgetShare(
            {
              DATABASE_CONNECT_TIMEOUT_MS: config.DATABASE_CONNECT_TIMEOUT_MS ?? 0,
              DATABASE_STATEMENT_TIMEOUT_MS: config.DATABASE_STATEMENT_TIMEOUT_MS ?? 0,
            },
            'for the suppression check',
          ),
        ]
      : []),
    // A keyed request's claim before the send and its stored answer after it.
    ...(config.FEATURE_IDEMPOTENCY === true && config.IDEMPOTENCY_REDIS_URL !== undefined
      ? [{ setting: 'IDEMPOTENCY_REDIS_TIMEOUT_MS', ms: 2 * (config.IDEMPOTENCY_REDIS_TIMEOUT_MS ?? 0), note: 'twice' }]
      : []),
    // The caller's bucket, taken from before the send.
    ...((config.RATE_LIMIT_PER_SECOND ?? 0) > 0 && config.RATE_LIMIT_REDIS_URL !== undefined
      ? [{ setting: 'RATE_LIMIT_REDIS_TIMEOUT_MS', ms: config.RATE_LIMIT_REDIS_TIMEOUT_MS ?? 0 }]
      : []),
  ];
  problems.push(...requestBudgetProblems(config, shares));
  problems.push(
    ...settleProblems(config, {
      ms: eventSettleMs(config),
      what: 'the events of mails already out',
      setting: publishBound(config).setting,
    }),
  );
  return problems;
}

function publishShare(config: PublishBoundSettings): BudgetShare {
  const { ms, setting } = publishBound(config);
  return setting === 'KAFKA_SEND_TIMEOUT_MS' ? { setting, ms, note: 'with its backstop' } : { setting, ms };
}
