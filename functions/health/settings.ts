/**
 * health's settings: its own (timeouts, cache, the details role), what its checks read of the peers they
 * greet, and the auth fragment for the details. The peer settings carry the same names and values as
 * send-mail's; the manifests test checks the two Services agree.
 */
import { bool, str } from 'envalid';
import { authSettings } from '../../shared/auth';
import { composeSettings, defineSettings, positiveInt, redisUrl, smtpUrl, type Config } from '../../shared/config';
import { EVENT_TRANSPORTS, kafkaTransportChosen } from '../../shared/contracts/email-sent';

const outsideLocal = (env: Record<string, unknown>): boolean => env.ENVIRONMENT !== 'local';

export const healthSpecs = {
  HEALTH_TIMEOUT_MS: positiveInt({ default: 1500, desc: 'Timeout of each dependency check (they run in parallel).' }),
  HEALTH_CACHE_SECONDS: positiveInt({
    default: 5,
    desc: 'How long a report is reused, so a probe storm does not hammer the dependencies.',
  }),
  HEALTH_DETAILS_ROLE: str({ default: 'ops', desc: 'Role a caller needs to see details beyond the status words.' }),
  SMTP_URL: smtpUrl({
    default: undefined,
    requiredWhen: outsideLocal,
    desc: "The SMTP server the smtp check greets: send-mail's SMTP_URL. Unset locally: the check says DISABLED (mails go to a local outbox).",
    example: 'smtps://user:pass@mail.example.com:465',
  }),
  FEATURE_EMAIL_SENT_EVENT: bool({
    default: false,
    desc: "send-mail's event toggle: off, the kafka check says DISABLED.",
  }),
  EVENT_TRANSPORT: str({
    choices: [...EVENT_TRANSPORTS],
    default: undefined,
    desc: "send-mail's EVENT_TRANSPORT: `http` (the platform's sink carries the events), the kafka check says DISABLED (events.sink); Knative reports the sink's readiness.",
  }),
  KAFKA_BROKERS: str({
    default: undefined,
    requiredWhen: (env) =>
      env.FEATURE_EMAIL_SENT_EVENT === true && env.ENVIRONMENT !== 'local' && kafkaTransportChosen(env),
    desc: "The brokers the kafka check describes: send-mail's KAFKA_BROKERS.",
    example: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
  }),
  KAFKA_SSL: bool({ default: false, desc: 'Connect to the brokers with TLS.' }),
  KAFKA_CLIENT_ID: str({ default: 'mailer-send-mail', desc: 'Kafka client id; the check connects as <id>-health.' }),
  FEATURE_IDEMPOTENCY: bool({
    default: false,
    desc: "send-mail's Idempotency-Key toggle: with it and IDEMPOTENCY_REDIS_URL, the report has an idempotencyStore component.",
  }),
  IDEMPOTENCY_REDIS_URL: redisUrl({
    default: undefined,
    requiredWhen: (env) => env.FEATURE_IDEMPOTENCY === true && env.ENVIRONMENT !== 'local',
    desc: "The Redis the idempotencyStore check pings: send-mail's IDEMPOTENCY_REDIS_URL.",
    example: 'rediss://mailer:password@redis.example.com:6380/0',
  }),
};

const ownSettings = defineSettings({
  owner: 'functions/health',
  specs: healthSpecs,
  secrets: ['SMTP_URL', 'IDEMPOTENCY_REDIS_URL'],
  requiredWhen: {
    KAFKA_BROKERS: 'required outside local when FEATURE_EMAIL_SENT_EVENT is on and EVENT_TRANSPORT is not http',
    IDEMPOTENCY_REDIS_URL: 'required outside local when FEATURE_IDEMPOTENCY is on',
  },
});

export const healthSettings = composeSettings('health', [ownSettings, authSettings]);

export type HealthConfig = Config<(typeof healthSettings)['specs']>;
