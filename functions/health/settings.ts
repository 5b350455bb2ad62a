/**
 * health's settings: its own (timeouts, cache, the details role), what its checks read of the peers they
 * greet, and the auth fragment for the details. The peer settings carry the same names and values as
 * send-mail's; the manifests test checks the two Services agree.
 */
import { bool, str } from 'envalid';
import { authSettings } from '../../shared/auth';
import { composeSettings, defineSettings, positiveInt, redisUrl, type Config } from '../../shared/config';
import { databaseSettings } from '../../shared/db';
import { emailSentToggleSettings, eventPeerSettings } from '../../shared/events';
import { smtpSettings } from '../../shared/smtp';

export const healthSpecs = {
  HEALTH_TIMEOUT_MS: positiveInt({ default: 1500, desc: 'Timeout of each dependency check (they run in parallel).' }),
  HEALTH_CACHE_SECONDS: positiveInt({
    default: 5,
    desc: 'How long a report is reused, so a probe storm does not hammer the dependencies.',
  }),
  HEALTH_DETAILS_ROLE: str({ default: 'ops', desc: 'Role a caller needs to see details beyond the status words.' }),
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
  RATE_LIMIT_WHEN_STORE_DOWN: str({
    choices: ['local', 'closed'],
    default: 'local',
    desc: "send-mail's RATE_LIMIT_WHEN_STORE_DOWN: when closed, send-mail refuses mail while its rate limit Redis cannot answer, so the report has a rateLimitStore component (RATE_LIMIT_REDIS_URL). local: send-mail limits per instance meanwhile and does not depend on it.",
  }),
  RATE_LIMIT_REDIS_URL: redisUrl({
    default: undefined,
    desc: "The Redis the rateLimitStore check pings: send-mail's RATE_LIMIT_REDIS_URL.",
    example: 'rediss://mailer:password@redis.example.com:6380/1',
  }),
  SUPPRESSION_CHECK: str({
    choices: ['required', 'best-effort', 'off'],
    default: 'required',
    desc: "send-mail's SUPPRESSION_CHECK: when required, send-mail refuses mail while its database cannot answer, so the report has a suppressionList component (its DATABASE_URL). best-effort or off: send-mail does not depend on it.",
  }),
};

const ownSettings = defineSettings({
  owner: 'functions/health',
  specs: healthSpecs,
  secrets: ['IDEMPOTENCY_REDIS_URL', 'RATE_LIMIT_REDIS_URL'],
  localDefaults: { SUPPRESSION_CHECK: 'off' },
  requiredWhen: {
    IDEMPOTENCY_REDIS_URL: 'required outside local when FEATURE_IDEMPOTENCY is on',
  },
});

/**
 * The SMTP server, the event transport's peers and the database are read as send-mail reads them
 * (shared/smtp, shared/events, shared/db).
 */
export const healthSettings = composeSettings('health', [
  smtpSettings,
  ownSettings,
  databaseSettings,
  emailSentToggleSettings,
  eventPeerSettings,
  authSettings,
]);

export type HealthConfig = Config<(typeof healthSettings)['specs']>;
