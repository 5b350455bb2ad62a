/**
 * records' settings: who may read timelines and manage suppressions, the topic and source of its
 * email.suppression.changed and email.unsubscribed events, composed with the common settings, the database,
 * the event transport, the auth fragment and the unsubscribe tokens' keys. Its events are its purpose: no toggle.
 */
import { str } from 'envalid';
import { authSettings, jwksBudgetShares } from '../../shared/auth';
import {
  composeSettings,
  defineSettings,
  requestBudgetProblems,
  settleProblems,
  uriReference,
  type Config,
} from '../../shared/config';
import { databaseBudgetShare, databaseSettings } from '../../shared/db';
import {
  eventPeerSettings,
  eventPublishingSettings,
  publishBound,
  publishSettleMs,
  type PublishBoundSettings,
} from '../../shared/events';
import { unsubscribeSettings } from '../../shared/unsubscribe';

export const recordsSpecs = {
  TIMELINE_READ_ROLE: str({
    default: 'admin',
    desc: "Role a caller needs to read the timeline of its own mails (GET /api/rest/v1/emails/{messageId}): the send role (SEND_MAIL_REQUIRED_ROLE), so every sender reads its own mails, and another caller's mail is 404.",
  }),
  TIMELINE_READ_ALL_ROLE: str({
    default: undefined,
    desc: "Role that reads every caller's mails. Unset: nobody does.",
    example: 'mailer-auditor',
  }),
  SUPPRESSION_ADMIN_ROLE: str({
    default: 'mailer-admin',
    desc: 'Role a caller needs to look up, list, add and remove suppressions (/api/rest/v1/suppressions). Never the send role.',
  }),
  KAFKA_TOPIC: str({
    default: 'mailer.email-suppression.v1',
    desc: 'Topic of the email.suppression.changed and email.unsubscribed events (kafka mode), keyed by address.',
  }),
  EVENT_SOURCE: uriReference({ default: '/mailer/records', desc: 'CloudEvent source (a URI reference).' }),
};

const ownSettings = defineSettings({
  owner: 'functions/records',
  specs: recordsSpecs,
  rules: (config) =>
    config.SUPPRESSION_ADMIN_ROLE === config.TIMELINE_READ_ROLE
      ? [
          'SUPPRESSION_ADMIN_ROLE: must not be the send role (TIMELINE_READ_ROLE): every sender would manage suppressions',
        ]
      : [],
});

type BudgetSettings = PublishBoundSettings &
  Readonly<{
    REQUEST_TIMEOUT_SECONDS: number;
    SHUTDOWN_TIMEOUT_SECONDS: number;
    AUTH_JWKS_TIMEOUT_MS: number;
    AUTH_ISSUER?: string | undefined;
    AUTH_JWKS_URL?: string | undefined;
    DATABASE_CONNECT_TIMEOUT_MS: number;
    DATABASE_STATEMENT_TIMEOUT_MS: number;
  }>;

/** The token check, one query and the change's event must fit; the drain leaves room for the event. */
export function recordsBudgetProblems(config: BudgetSettings): string[] {
  const bound = publishBound(config);
  return [
    ...requestBudgetProblems(config, [
      ...jwksBudgetShares(config),
      databaseBudgetShare(config, 'for one query'),
      { setting: bound.setting, ms: bound.ms },
    ]),
    ...settleProblems(config, {
      ms: publishSettleMs(config),
      what: 'the events of suppression changes already made',
      setting: bound.setting,
    }),
  ];
}

export const recordsSettings = composeSettings(
  'records',
  [ownSettings, databaseSettings, eventPeerSettings, eventPublishingSettings, authSettings, unsubscribeSettings],
  [recordsBudgetProblems],
);

export type RecordsConfig = Config<(typeof recordsSettings)['specs']>;
