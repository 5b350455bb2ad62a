/**
 * send-mail's settings: its SMTP delivery, its caller's role, the email.sent events and their Kafka
 * producer, composed with the common settings and the auth fragment. Its time budget is checked at start
 * (budget.ts).
 */
import { bool, email, str } from 'envalid';
import { databaseSettings } from '../../shared/db';
import { authSettings } from '../../shared/auth';
import {
  composeSettings,
  defineSettings,
  inFlightBodyProblems,
  nonNegativeInt,
  positiveInt,
  redisUrl,
  uriReference,
  type Config,
} from '../../shared/config';
import { emailSentToggleSettings, eventPeerSettings, eventPublishingSettings } from '../../shared/events';
import { smtpSettings } from '../../shared/smtp';
import { unsubscribeSettings } from '../../shared/unsubscribe';
import { verpSettings } from '../../shared/verp';
import { timeBudgetProblems } from './budget';
import { dkimProblems } from './smtp/dkim';
import { SUPPRESSION_MODES } from './suppression';
import { parseOverrides, STORE_DOWN_MODES } from './rate-limit';
import { SCHEMA_MAX_ATTACHMENTS, SCHEMA_MAX_BATCH } from './http/request-schema';
import { sendMailBodyLimit } from './http/body-limit';

const idempotencySpecs = {
  FEATURE_IDEMPOTENCY: bool({
    default: false,
    desc: 'Feature toggle: honour the Idempotency-Key header of POST /api/rest/v1/sendmail (docs/api.md). Off: the header is ignored, as before. On locally by default.',
  }),
  IDEMPOTENCY_REDIS_URL: redisUrl({
    default: undefined,
    requiredWhen: (env) => env.FEATURE_IDEMPOTENCY === true && env.ENVIRONMENT !== 'local',
    desc: 'Redis (or Valkey) holding the keys, redis:// or rediss:// (TLS), with optional user:password and /db. Unset locally: an in-memory store for one instance.',
    example: 'rediss://mailer:password@redis.example.com:6380/0',
  }),
  IDEMPOTENCY_TTL_SECONDS: positiveInt({
    default: 86400,
    desc: 'How long a settled key (its stored answer, or an unknown outcome) is kept.',
  }),
  IDEMPOTENCY_LOCK_SECONDS: positiveInt({
    default: 60,
    desc: "How long a claim that never settled (its instance killed) blocks its key. Must exceed REQUEST_TIMEOUT_SECONDS, so a live request's claim never expires under it; checked at start.",
  }),
  IDEMPOTENCY_REDIS_TIMEOUT_MS: positiveInt({
    default: 500,
    desc: 'Longest one Redis call may take (connection included); then the keyed request gets 503 idempotency.store.unavailable. Twice it (the claim, then the answer) is part of the time budget.',
  }),
  IDEMPOTENCY_BREAKER_RESET_SECONDS: positiveInt({
    default: 5,
    desc: 'How long the redis breaker stays open before a trial call.',
  }),
};

const rateLimitSpecs = {
  RATE_LIMIT_PER_SECOND: nonNegativeInt({
    default: 0,
    desc: "Mails per second each caller may send: its own token bucket, refilled at this rate (docs/api.md, 'Rate limits'). Over it: 429 rate.limit.exceeded with Retry-After, nothing sent. 0: no limit, no headers.",
  }),
  RATE_LIMIT_BURST: positiveInt({
    default: 100,
    desc: 'The bucket size: how many mails a caller may send at once after a quiet time. At least MAX_BATCH_SIZE (a batch takes its mails at once); checked at start.',
  }),
  RATE_LIMIT_OVERRIDES: str({
    default: '',
    desc: "Per-caller rate and burst by the token's sub (else azp/client_id), comma-separated `subject=rate/burst`.",
    example: 'campaign-service=200/400,billing=5/100',
  }),
  RATE_LIMIT_REDIS_URL: redisUrl({
    default: undefined,
    requiredWhen: (env) => Number(env.RATE_LIMIT_PER_SECOND) > 0 && env.ENVIRONMENT !== 'local',
    desc: "Redis (or Valkey) holding the buckets every instance shares (it may be the idempotency keys' Redis). Unset locally: one instance's buckets in memory.",
    example: 'rediss://mailer:password@redis.example.com:6380/1',
  }),
  RATE_LIMIT_REDIS_TIMEOUT_MS: positiveInt({
    default: 200,
    desc: 'Longest one bucket call may take (connection included); then RATE_LIMIT_WHEN_STORE_DOWN applies. Part of the time budget.',
  }),
  RATE_LIMIT_BREAKER_RESET_SECONDS: positiveInt({
    default: 5,
    desc: 'How long the ratelimit breaker stays open before a trial call.',
  }),
  RATE_LIMIT_WHEN_STORE_DOWN: str({
    choices: STORE_DOWN_MODES,
    default: 'local',
    desc: '`local`: while Redis cannot be reached each instance limits on its own at the same rate (together at most that many times it); `closed`: 503 rate.limit.unavailable, nothing sent.',
  }),
};

export const sendMailSpecs = {
  SMTP_POOL_SIZE: positiveInt({ default: 5, desc: 'Pooled SMTP connections per instance.' }),
  SMTP_CONNECTION_TIMEOUT_SECONDS: positiveInt({ default: 5, desc: 'Time to establish the SMTP connection.' }),
  SMTP_GREETING_TIMEOUT_SECONDS: positiveInt({ default: 5, desc: 'Time to wait for the SMTP greeting.' }),
  SMTP_SOCKET_TIMEOUT_SECONDS: positiveInt({ default: 15, desc: 'Idle time allowed on an SMTP connection.' }),
  SMTP_SEND_TIMEOUT_SECONDS: positiveInt({
    default: 20,
    desc: 'Our deadline for one delivery: the send is aborted then (nothing sent), unless the whole message is out (502 email.send.unknown). The other SMTP_* timeouts must not exceed it.',
  }),
  SMTP_BREAKER_RESET_SECONDS: positiveInt({
    default: 10,
    desc: 'How long the SMTP breaker stays open before a trial delivery.',
  }),
  SMTP_REQUIRE_TLS: bool({ default: false, desc: 'Refuse to send unless STARTTLS succeeds (smtp:// URLs).' }),
  MAIL_FROM: email({ desc: 'Fixed sender address of every mail.', example: 'mailer@example.com' }),
  OUTBOX_DIR: str({
    default: '.outbox',
    desc: 'Local only: where mails are written as .eml files when SMTP_URL is unset.',
  }),
  MAX_ATTACHMENT_BYTES: positiveInt({
    default: 10 * 1024 * 1024,
    desc: "The most bytes of one mail's attachments together, decoded (Postmark's 10 MB). Over it: 413 email.attachment.toolarge. The send route's body limit follows from it (MAX_BODY_BYTES + its base64 + the parts' JSON), and MAX_INFLIGHT_BODY_BYTES must hold that; checked at start.",
  }),
  MAX_ATTACHMENTS: positiveInt({
    default: 20,
    desc: 'The most attachments of one mail (at most 100).',
  }),
  MAX_BATCH_SIZE: positiveInt({
    default: 100,
    desc: 'The most mails in one POST /api/rest/v1/sendmail/batch (Resend 100, Postmark 500, SES 50; at most 1000). More: 400 email.validation.error (messages field.too_many), nothing sent. Each mail keeps MAX_BODY_BYTES.',
  }),
  MAX_RECIPIENTS: positiveInt({
    default: 50,
    desc: 'The most recipients of one mail: to_address, cc and bcc together. More is refused (400 recipients.too_many).',
  }),
  DKIM_DOMAIN: str({
    default: undefined,
    desc: 'DKIM signing domain (d=). With DKIM_SELECTOR and DKIM_PRIVATE_KEY every mail is signed (rsa-sha256); all three or none.',
    example: 'example.com',
  }),
  DKIM_SELECTOR: str({
    default: undefined,
    desc: 'DKIM selector (s=): the key is published as a TXT record at <selector>._domainkey.<DKIM_DOMAIN>, k=rsa.',
    example: 'mailer2026',
  }),
  DKIM_PRIVATE_KEY: str({
    default: undefined,
    desc: 'DKIM private key, PEM (PKCS#8 or PKCS#1), RSA of at least 1024 bits; refused at start when it cannot be parsed or is not RSA. In one line, `\\n` stands for a line break.',
  }),
  SEND_MAIL_REQUIRED_ROLE: str({ default: 'admin', desc: 'Role a caller needs in AUTH_ROLES_CLAIM to send mail.' }),
  SEND_BROADCAST_REQUIRED_ROLE: str({
    default: 'broadcast',
    desc: 'Role a caller needs besides SEND_MAIL_REQUIRED_ROLE to send on the broadcast stream (`"stream": "broadcast"`: campaign and bulk mail). Without it: 403 auth.role.missing (in a batch, that item). The transactional stream needs only the send role.',
  }),
  KAFKA_TOPIC: str({ default: 'mailer.email-sent.v1', desc: 'Topic of the email.sent events (kafka mode).' }),
  EVENT_SOURCE: uriReference({ default: '/mailer/send-mail', desc: 'CloudEvent source (a URI reference).' }),
  ...idempotencySpecs,
  ...rateLimitSpecs,
  SUPPRESSION_CHECK: str({
    choices: SUPPRESSION_MODES,
    default: 'required',
    desc: 'The suppression list check before each send (docs/database.md): `required` refuses the mail while the list cannot be read (503 suppression.store.unavailable, no mail); `best-effort` sends it unchecked, counted and logged; `off` runs none and needs no DATABASE_URL (a deployment without the list; the local default, which make dev turns on).',
  }),
};

const ownSettings = defineSettings({
  owner: 'functions/send-mail',
  specs: sendMailSpecs,
  secrets: ['IDEMPOTENCY_REDIS_URL', 'RATE_LIMIT_REDIS_URL', 'DKIM_PRIVATE_KEY'],
  localDefaults: {
    MAIL_FROM: 'mailer@localhost.localdomain',
    FEATURE_IDEMPOTENCY: 'true',
    SUPPRESSION_CHECK: 'off',
  },
  requiredWhen: {
    IDEMPOTENCY_REDIS_URL: 'required outside local when FEATURE_IDEMPOTENCY is on',
    RATE_LIMIT_REDIS_URL: 'required outside local when RATE_LIMIT_PER_SECOND is above 0',
  },
  rules: (config) => [
    ...dkimProblems(config),
    ...(config.MAX_ATTACHMENTS > SCHEMA_MAX_ATTACHMENTS ? [`MAX_ATTACHMENTS: at most ${SCHEMA_MAX_ATTACHMENTS}`] : []),
    ...(config.MAX_BATCH_SIZE > SCHEMA_MAX_BATCH ? [`MAX_BATCH_SIZE: at most ${SCHEMA_MAX_BATCH}`] : []),
    ...rateLimitProblems(config),
    ...(config.FEATURE_IDEMPOTENCY && config.IDEMPOTENCY_LOCK_SECONDS <= config.REQUEST_TIMEOUT_SECONDS
      ? [
          `IDEMPOTENCY_LOCK_SECONDS: ${config.IDEMPOTENCY_LOCK_SECONDS} s must exceed REQUEST_TIMEOUT_SECONDS (${config.REQUEST_TIMEOUT_SECONDS} s), or a claim could expire while its request still runs; raise it`,
        ]
      : []),
  ],
});

/** A batch takes its mails at once: a bucket smaller than the largest batch would never let one through. */
function rateLimitProblems(config: {
  readonly RATE_LIMIT_PER_SECOND: number;
  readonly RATE_LIMIT_BURST: number;
  readonly RATE_LIMIT_OVERRIDES: string;
  readonly MAX_BATCH_SIZE: number;
}): string[] {
  if (config.RATE_LIMIT_PER_SECOND === 0) return [];
  const { policies, problems } = parseOverrides(config.RATE_LIMIT_OVERRIDES);
  const small = [
    ...(config.RATE_LIMIT_BURST < config.MAX_BATCH_SIZE ? ['RATE_LIMIT_BURST'] : []),
    ...[...policies].filter(([, policy]) => policy.burst < config.MAX_BATCH_SIZE).map(([subject]) => subject),
  ];
  return [
    ...problems.map((problem) => `RATE_LIMIT_OVERRIDES: ${problem}`),
    ...small.map(
      (name) =>
        `${name === 'RATE_LIMIT_BURST' ? name : `RATE_LIMIT_OVERRIDES (${name})`}: the burst is below MAX_BATCH_SIZE (${config.MAX_BATCH_SIZE}), so a full batch could never pass; raise it`,
    ),
  ];
}

export const sendMailSettings = composeSettings(
  'send-mail',
  [
    smtpSettings,
    ownSettings,
    databaseSettings,
    verpSettings,
    unsubscribeSettings,
    emailSentToggleSettings,
    eventPeerSettings,
    eventPublishingSettings,
    authSettings,
  ],
  [
    timeBudgetProblems,
    (config) =>
      inFlightBodyProblems(config, {
        bytes: sendMailBodyLimit(config),
        from: 'the largest send (MAX_BODY_BYTES with MAX_ATTACHMENT_BYTES and MAX_ATTACHMENTS in base64, or MAX_BATCH_SIZE mails of MAX_BODY_BYTES)',
      }),
  ],
);

export type SendMailConfig = Config<(typeof sendMailSettings)['specs']>;
