/**
 * send-mail's settings: its SMTP delivery, its caller's role, the email.sent events and their Kafka
 * producer, composed with the common settings and the auth fragment. Its time budget is checked at start
 * (budget.ts).
 */
import { bool, email, str } from 'envalid';
import { authSettings } from '../../shared/auth';
import {
  composeSettings,
  defineSettings,
  describedValidator,
  httpUrl,
  positiveInt,
  redisUrl,
  smtpUrl,
  uriReference,
  type Config,
} from '../../shared/config';
import { timeBudgetProblems } from './budget';
import { dkimProblems } from './dkim';
import { EVENT_TRANSPORTS, kafkaTransportChosen } from '../../shared/contracts/email-sent';
import { eventTransport } from './event-transport';

/** Milliseconds for a budget that is split into attempts: below 300 no attempt has room for a broker's answer. */
const budgetMs = describedValidator<number>('integer ≥ 300 (ms)', (input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 300) throw new Error('expected an integer of at least 300 (milliseconds)');
  return value;
});

const outsideLocal = (env: Record<string, unknown>): boolean => env.ENVIRONMENT !== 'local';

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

export const sendMailSpecs = {
  SMTP_URL: smtpUrl({
    default: undefined,
    requiredWhen: outsideLocal,
    desc: 'SMTP server, smtp:// or smtps://, with optional user:password. Unset locally: mail goes to OUTBOX_DIR.',
    example: 'smtps://user:pass@mail.example.com:465',
  }),
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
  FEATURE_EMAIL_SENT_EVENT: bool({
    default: false,
    desc: 'Feature toggle: emit an email.sent CloudEvent after each delivered mail, through EVENT_TRANSPORT. Off: no producer, no connection.',
  }),
  EVENT_TRANSPORT: str({
    choices: [...EVENT_TRANSPORTS],
    default: undefined,
    desc: 'How events leave: `http` (a binary-mode CloudEvent POSTed to K_SINK, e.g. a KafkaSink or Broker), `kafka` (produced to KAFKA_TOPIC by the function itself) or `file` (EVENT_OUTBOX_FILE, local only). Unset: `http` when K_SINK is set, else `kafka` when KAFKA_BROKERS is set, else `file`.',
  }),
  K_SINK: httpUrl({
    default: undefined,
    requiredWhen: (env) => env.FEATURE_EMAIL_SENT_EVENT === true && env.EVENT_TRANSPORT === 'http',
    desc: "The sink's address, injected by a Knative SinkBinding (knative/examples/kafkasink/); events are POSTed to it in http mode.",
    example: 'http://kafka-sink-ingress.knative-eventing.svc.cluster.local/mailer/email-sent',
  }),
  EVENT_HTTP_TIMEOUT_MS: budgetMs({
    default: 2000,
    desc: 'How long one event POST may take in http mode, waiting for a free connection included; then it is given up (a dead letter). With AUTH_JWKS_TIMEOUT_MS (with an issuer) and SMTP_SEND_TIMEOUT_SECONDS it must fit in REQUEST_TIMEOUT_SECONDS; checked at start.',
  }),
  EVENT_HTTP_CONCURRENCY: positiveInt({
    default: 10,
    desc: 'Event POSTs in flight at once per instance in http mode (keep-alive connections to the sink); more wait for a free one.',
  }),
  EVENT_HTTP_BREAKER_RESET_SECONDS: positiveInt({
    default: 10,
    desc: 'How long the event-sink breaker (http mode) stays open before a trial POST.',
  }),
  KAFKA_BROKERS: str({
    default: undefined,
    requiredWhen: (env) =>
      env.FEATURE_EMAIL_SENT_EVENT === true && env.ENVIRONMENT !== 'local' && kafkaTransportChosen(env),
    desc: 'Comma-separated host:port list (kafka mode). Unset locally: events go to EVENT_OUTBOX_FILE.',
    example: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
  }),
  KAFKA_ALLOW_AUTO_TOPIC_CREATION: bool({
    default: false,
    desc: 'Let the producer create KAFKA_TOPIC when it does not exist (kafka mode). On locally (ENVIRONMENT=local) by default; elsewhere the topic is created with its partitions and retention on purpose.',
  }),
  KAFKA_TOPIC: str({ default: 'mailer.email-sent.v1', desc: 'Topic of the email.sent events.' }),
  KAFKA_CLIENT_ID: str({ default: 'mailer-send-mail', desc: 'Kafka client id.' }),
  KAFKA_CONTENT_MODE: str({
    choices: ['binary', 'structured'],
    default: 'binary',
    desc: 'CloudEvents Kafka binding mode.',
  }),
  KAFKA_SSL: bool({ default: false, desc: 'Connect to the brokers with TLS.' }),
  KAFKA_SASL_MECHANISM: str({
    choices: ['plain', 'scram-sha-256', 'scram-sha-512'],
    default: undefined,
    desc: 'SASL mechanism; unset: no SASL.',
  }),
  KAFKA_SASL_USERNAME: str({ default: undefined, desc: 'SASL user name.' }),
  KAFKA_SASL_PASSWORD: str({ default: undefined, desc: 'SASL password.' }),
  KAFKA_SEND_TIMEOUT_MS: budgetMs({
    default: 2000,
    desc: 'How long one event send may take, all attempts included: the Kafka client gives up within it by itself (two attempts, each request waiting about half of it); the breaker gives up at 1.5 × at the latest. With AUTH_JWKS_TIMEOUT_MS (with an issuer) and SMTP_SEND_TIMEOUT_SECONDS it must fit in REQUEST_TIMEOUT_SECONDS; checked at start.',
  }),
  KAFKA_BREAKER_RESET_SECONDS: positiveInt({
    default: 10,
    desc: 'How long the Kafka breaker stays open before a trial send.',
  }),
  EVENT_TYPE_PREFIX: str({ default: 'com.example.mailer', desc: 'The event type is <prefix>.email.sent.v1.' }),
  EVENT_SOURCE: uriReference({ default: '/mailer/send-mail', desc: 'CloudEvent source (a URI reference).' }),
  PUBLIC_BASE_URL: httpUrl({
    default: 'http://localhost:8080',
    desc: 'Public base URL of the API; event dataschema URLs point below it.',
  }),
  EVENT_OUTBOX_FILE: str({
    default: '.outbox/events.jsonl',
    desc: 'Local only: where events go in file mode, one structured CloudEvent per line.',
  }),
  ...idempotencySpecs,
};

const ownSettings = defineSettings({
  owner: 'functions/send-mail',
  specs: sendMailSpecs,
  secrets: ['SMTP_URL', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'IDEMPOTENCY_REDIS_URL', 'DKIM_PRIVATE_KEY'],
  localDefaults: {
    MAIL_FROM: 'mailer@localhost.localdomain',
    FEATURE_IDEMPOTENCY: 'true',
    KAFKA_ALLOW_AUTO_TOPIC_CREATION: 'true',
  },
  requiredWhen: {
    K_SINK: 'required when FEATURE_EMAIL_SENT_EVENT is on and EVENT_TRANSPORT is http',
    KAFKA_BROKERS:
      'required outside local when FEATURE_EMAIL_SENT_EVENT is on, in kafka mode (EVENT_TRANSPORT=kafka, or unset without K_SINK)',
    IDEMPOTENCY_REDIS_URL: 'required outside local when FEATURE_IDEMPOTENCY is on',
  },
  rules: (config) => [
    ...dkimProblems(config),
    ...(config.FEATURE_EMAIL_SENT_EVENT && config.ENVIRONMENT !== 'local' && eventTransport(config) === 'file'
      ? ['EVENT_TRANSPORT: file is for ENVIRONMENT=local only; set K_SINK (http) or KAFKA_BROKERS (kafka)']
      : []),
    ...(config.FEATURE_IDEMPOTENCY && config.IDEMPOTENCY_LOCK_SECONDS <= config.REQUEST_TIMEOUT_SECONDS
      ? [
          `IDEMPOTENCY_LOCK_SECONDS: ${config.IDEMPOTENCY_LOCK_SECONDS} s must exceed REQUEST_TIMEOUT_SECONDS (${config.REQUEST_TIMEOUT_SECONDS} s), or a claim could expire while its request still runs; raise it`,
        ]
      : []),
  ],
});

export const sendMailSettings = composeSettings('send-mail', [ownSettings, authSettings], [timeBudgetProblems]);

export type SendMailConfig = Config<(typeof sendMailSettings)['specs']>;
