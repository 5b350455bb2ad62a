/**
 * The time budget of one request: the shares of auth, SMTP delivery and the event publish must nest
 * inside REQUEST_TIMEOUT_SECONDS, and the drain must leave room for the event of a mail already out.
 * Settings that cannot hold are refused at start, naming every setting involved.
 */
import type { SettingName } from './schema';

type BudgetSettings = Readonly<
  Record<
    | 'REQUEST_TIMEOUT_SECONDS'
    | 'SHUTDOWN_TIMEOUT_SECONDS'
    | 'SMTP_SEND_TIMEOUT_SECONDS'
    | 'SMTP_CONNECTION_TIMEOUT_SECONDS'
    | 'SMTP_GREETING_TIMEOUT_SECONDS'
    | 'SMTP_SOCKET_TIMEOUT_SECONDS'
    | 'AUTH_JWKS_TIMEOUT_MS'
    | 'KAFKA_SEND_TIMEOUT_MS',
    number
  > & {
    readonly FEATURE_EMAIL_SENT_EVENT: boolean;
    readonly AUTH_ISSUER?: string | undefined;
    readonly AUTH_JWKS_URL?: string | undefined;
  }
>;

/**
 * The longest one event publish may take: the Kafka client gives up within KAFKA_SEND_TIMEOUT_MS, and its
 * breaker's backstop (functions/send-mail/kafka-send.ts) stays below one and a half times that.
 */
export function eventPublishMaxMs(config: Pick<BudgetSettings, 'KAFKA_SEND_TIMEOUT_MS'>): number {
  return Math.ceil(config.KAFKA_SEND_TIMEOUT_MS * 1.5);
}

/** How long send-mail may still need once its requests are told to stop: the event of a mail already out. */
export function eventSettleMs(config: Pick<BudgetSettings, 'FEATURE_EMAIL_SENT_EVENT' | 'KAFKA_SEND_TIMEOUT_MS'>): number {
  return config.FEATURE_EMAIL_SENT_EVENT ? eventPublishMaxMs(config) + EVENT_SETTLE_MARGIN_MS : 0;
}

/** Room beyond the publish for the answer and the dead-letter line. */
const EVENT_SETTLE_MARGIN_MS = 500;

export function timeBudgetProblems(config: BudgetSettings): string[] {
  const problems: string[] = [];
  const smtpParts: SettingName[] = ['SMTP_CONNECTION_TIMEOUT_SECONDS', 'SMTP_GREETING_TIMEOUT_SECONDS', 'SMTP_SOCKET_TIMEOUT_SECONDS'];
  for (const name of smtpParts) {
    const value = config[name as keyof BudgetSettings] as number;
    if (value > config.SMTP_SEND_TIMEOUT_SECONDS) {
      problems.push(`${name}: ${value} s is longer than SMTP_SEND_TIMEOUT_SECONDS (${config.SMTP_SEND_TIMEOUT_SECONDS} s), which bounds the whole delivery; lower it or raise SMTP_SEND_TIMEOUT_SECONDS`);
    }
  }
  const shares: [SettingName, number][] = [['SMTP_SEND_TIMEOUT_SECONDS', config.SMTP_SEND_TIMEOUT_SECONDS * 1000]];
  if (config.AUTH_ISSUER !== undefined || config.AUTH_JWKS_URL !== undefined) shares.unshift(['AUTH_JWKS_TIMEOUT_MS', config.AUTH_JWKS_TIMEOUT_MS]);
  if (config.FEATURE_EMAIL_SENT_EVENT) shares.push(['KAFKA_SEND_TIMEOUT_MS', eventPublishMaxMs(config)]);
  const needed = shares.reduce((sum, [, ms]) => sum + ms, 0);
  if (needed > config.REQUEST_TIMEOUT_SECONDS * 1000) {
    const parts = shares.map(([name, ms]) => `${name} (${name === 'KAFKA_SEND_TIMEOUT_MS' ? `${ms} ms with its backstop` : `${ms} ms`})`).join(' + ');
    problems.push(`REQUEST_TIMEOUT_SECONDS: ${config.REQUEST_TIMEOUT_SECONDS} s cannot hold ${parts} = ${needed} ms; raise it or lower those`);
  }
  const settle = eventSettleMs(config);
  if (settle > 0 && settle >= config.SHUTDOWN_TIMEOUT_SECONDS * 1000) {
    problems.push(`SHUTDOWN_TIMEOUT_SECONDS: ${config.SHUTDOWN_TIMEOUT_SECONDS} s leaves no room to settle the events of mails already out (${settle} ms from KAFKA_SEND_TIMEOUT_MS); raise it or lower KAFKA_SEND_TIMEOUT_MS`);
  }
  return problems;
}
