/**
 * Every setting of every function, in one place: name, type, default and description. docs/configuration.md's
 * config table is generated from this file, and the loader validates against it.
 */
import { bool, email, makeValidator, num, port, str } from 'envalid';
import { isIP } from 'node:net';

const positiveInt = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value <= 0) throw new Error('expected a positive integer');
  return value;
});

/** Milliseconds for a budget that is split into attempts: below 300 no attempt has room for a broker's answer. */
const budgetMs = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 300) throw new Error('expected an integer of at least 300 (milliseconds)');
  return value;
});

const nonNegativeInt = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 0) throw new Error('expected a non-negative integer');
  return value;
});

/** A URL with one of the given schemes and a host; the message never quotes the value (it may hold a password). */
function urlOf(protocols: readonly string[], expected: string): ReturnType<typeof makeValidator<string>> {
  return makeValidator<string>((input) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(input);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol) || parsed.hostname === '') throw new Error(`expected ${expected}`);
    return input;
  });
}

const smtpUrl = urlOf(['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL with a host');
const httpUrl = urlOf(['http:', 'https:'], 'an http(s) URL with a host');

/** Only asymmetric algorithms: the shared-secret HS256 mode has its own verifier and setting. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

const algorithmList = makeValidator<readonly string[]>((input) => {
  const algorithms = input.split(',').map((alg) => alg.trim()).filter((alg) => alg !== '');
  const unknown = algorithms.filter((alg) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg));
  if (algorithms.length === 0 || unknown.length > 0) throw new Error(`expected a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
  return algorithms;
});

/** CIDR blocks (a bare address is its own block), as `address/prefix`; refused at start when one is not. */
const cidrList = makeValidator<readonly string[]>((input) => {
  const blocks = input.split(',').map((block) => block.trim()).filter((block) => block !== '');
  return blocks.map((block) => {
    const [address = '', prefix, ...rest] = block.split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const length = prefix === undefined ? bits : Number(prefix);
    if (family === 0 || rest.length > 0 || !/^\d+$/.test(prefix ?? String(bits)) || length > bits) {
      throw new Error('expected a comma-separated list of CIDR blocks, e.g. 127.0.0.1/32,::1/128');
    }
    return `${address}/${length}`;
  });
});

const secret32 = makeValidator<string>((input) => {
  if (Buffer.byteLength(input, 'utf8') < 32) throw new Error('must be at least 32 bytes');
  return input;
});

/** Human names of the setting types, keyed by envalid's parser, for the generated docs. */
export const typeNames: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [str({})._parse, 'string'],
  [bool({})._parse, 'boolean'],
  [port({})._parse, 'port'],
  [email({})._parse, 'email'],
  [positiveInt({})._parse, 'positive integer'],
  [nonNegativeInt({})._parse, 'non-negative integer'],
  [budgetMs({})._parse, 'integer ≥ 300 (ms)'],
  [smtpUrl({})._parse, 'smtp:// or smtps:// URL'],
  [httpUrl({})._parse, 'http(s) URL'],
  [algorithmList({})._parse, 'comma-separated list'],
  [cidrList({})._parse, 'comma-separated CIDR list'],
  [secret32({})._parse, 'string, ≥ 32 bytes'],
]);

const outsideLocal = (env: Record<string, unknown>): boolean => env.ENVIRONMENT !== 'local';
const noTokenKey = (env: Record<string, unknown>): boolean => env.AUTH_JWKS_URL === undefined && env.AUTH_HS256_SECRET === undefined;

export const schema = {
  CONFIG_FILE: str({ default: undefined, desc: 'YAML file with settings (a mounted ConfigMap). Nested keys map to UPPER_SNAKE names.' }),
  SECRETS_FILE: str({ default: undefined, desc: 'YAML file with secret settings (a mounted Secret). Wins over CONFIG_FILE.' }),
  ENVIRONMENT: str({ choices: ['local', 'dev', 'staging', 'production'], default: 'local', desc: 'Where this runs; everything but local requires real peers.' }),
  PORT: port({ default: 8080, desc: 'HTTP port the function listens on.' }),
  LOG_FORMAT: str({ choices: ['ecs', 'pretty'], default: undefined, desc: 'ecs: Elastic Common Schema JSON; pretty: for humans. Default: ecs when K_SERVICE is set, else pretty.' }),
  LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', desc: 'Lowest level that is logged.' }),
  K_SERVICE: str({ default: undefined, desc: 'Set by Knative: the service name.' }),
  K_REVISION: str({ default: undefined, desc: 'Set by Knative: the revision name.' }),
  HOSTNAME: str({ default: undefined, desc: 'Set by Kubernetes: the pod name; part of the Pushgateway instance label.' }),
  PUSHGATEWAY_URL: httpUrl({ default: undefined, desc: 'Prometheus Pushgateway; when set, metrics are pushed on shutdown, so a scaled-to-zero pod loses none.' }),
  PUSHGATEWAY_TIMEOUT_MS: positiveInt({ default: 2000, desc: 'Longest the shutdown waits for the push.' }),
  HTTP_HEADERS_TIMEOUT_SECONDS: positiveInt({ default: 10, desc: 'Time a client has to send the headers of a request; slower connections get 408 and are closed.' }),
  TRUSTED_PROXIES: cidrList({ default: undefined, desc: 'Proxies whose X-Forwarded-For is believed for client.ip: when the socket peer is in one of these blocks, the client is the right-most X-Forwarded-For entry outside them. Unset: none, client.ip is the socket peer. Behind Knative\'s queue-proxy (same pod, loopback) set 127.0.0.1/32,::1/128.', example: '127.0.0.1/32,::1/128' }),
  MAX_BODY_BYTES: positiveInt({ default: 65536, desc: 'Largest request body accepted; larger ones get 413 before they are buffered.' }),
  REQUEST_TIMEOUT_SECONDS: positiveInt({ default: 30, desc: 'The whole budget of one request: its signal aborts then, and the function answers (503 http.request.timeout unless the mail is already out). Must hold AUTH_JWKS_TIMEOUT_MS (with an issuer) + SMTP_SEND_TIMEOUT_SECONDS + 1.5 × KAFKA_SEND_TIMEOUT_MS (with events); checked at start.' }),
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt({ default: 20, desc: 'How long in-flight requests may finish after SIGTERM.' }),
  SMTP_URL: smtpUrl({ default: undefined, requiredWhen: outsideLocal, desc: 'SMTP server, smtp:// or smtps://, with optional user:password. Unset locally: mail goes to OUTBOX_DIR.', example: 'smtps://user:pass@mail.example.com:465' }),
  SMTP_POOL_SIZE: positiveInt({ default: 5, desc: 'Pooled SMTP connections per instance.' }),
  SMTP_CONNECTION_TIMEOUT_SECONDS: positiveInt({ default: 5, desc: 'Time to establish the SMTP connection.' }),
  SMTP_GREETING_TIMEOUT_SECONDS: positiveInt({ default: 5, desc: 'Time to wait for the SMTP greeting.' }),
  SMTP_SOCKET_TIMEOUT_SECONDS: positiveInt({ default: 15, desc: 'Idle time allowed on an SMTP connection.' }),
  SMTP_SEND_TIMEOUT_SECONDS: positiveInt({ default: 20, desc: 'Our deadline for one delivery: the send is aborted then (nothing sent), unless the whole message is out (502 email.send.unknown). The other SMTP_* timeouts must not exceed it.' }),
  SMTP_BREAKER_RESET_SECONDS: positiveInt({ default: 10, desc: 'How long the SMTP breaker stays open before a trial delivery.' }),
  SMTP_REQUIRE_TLS: bool({ default: false, desc: 'Refuse to send unless STARTTLS succeeds (smtp:// URLs).' }),
  MAIL_FROM: email({ default: undefined, requiredWhen: outsideLocal, desc: 'Fixed sender address of every mail.', example: 'mailer@example.com' }),
  AUTH_ISSUER: httpUrl({ default: undefined, requiredWhen: noTokenKey, desc: 'Issuer of the identity provider; tokens must carry it as iss. Its discovery document names the JWKS unless AUTH_JWKS_URL is set. Required unless AUTH_JWKS_URL or AUTH_HS256_SECRET is set.', example: 'https://idp.example.com/realms/main' }),
  AUTH_JWKS_URL: httpUrl({ default: undefined, desc: 'JWKS of the identity provider; default: jwks_uri from the issuer discovery document.' }),
  AUTH_AUDIENCE: str({ default: undefined, desc: 'Required aud of asymmetric tokens, when set.' }),
  AUTH_ALGORITHMS: algorithmList({ default: ['RS256', 'PS256', 'ES256', 'EdDSA'], desc: 'Allowed asymmetric signature algorithms.' }),
  AUTH_HS256_SECRET: secret32({ default: undefined, desc: 'Shared secret for legacy HS256 callers; HS256 is accepted only when set. Refused in production unless AUTH_ALLOW_HS256_IN_PRODUCTION.' }),
  AUTH_HS256_ISSUER: str({ default: undefined, desc: 'Required iss of HS256 tokens, when set.' }),
  AUTH_HS256_AUDIENCE: str({ default: undefined, desc: 'Required aud of HS256 tokens, when set.' }),
  AUTH_ALLOW_HS256_IN_PRODUCTION: bool({ default: false, desc: 'Permit AUTH_HS256_SECRET when ENVIRONMENT=production.' }),
  AUTH_ROLES_CLAIM: str({ default: 'https://github.com/StephanHCB/go-campaign-service/roles', desc: 'Claim holding the list of roles.' }),
  AUTH_CLOCK_TOLERANCE_SECONDS: num({ default: 30, desc: 'Allowed clock skew for exp and nbf.' }),
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: nonNegativeInt({ default: 86400, desc: 'A token whose exp lies more than this after now (beyond AUTH_CLOCK_TOLERANCE_SECONDS) or after its iat is refused; 0 turns the cap off. An exp that is not a finite number of seconds is refused always.' }),
  AUTH_MAX_TOKEN_BYTES: positiveInt({ default: 8192, desc: 'Longer bearer tokens are refused unread.' }),
  AUTH_TOKEN_CACHE_SECONDS: nonNegativeInt({ default: 60, desc: 'A verified token is trusted again without a signature check for this long (never past its exp; 0 turns it off). A key withdrawn from the JWKS keeps working this long for tokens already seen.' }),
  AUTH_JWKS_TIMEOUT_MS: positiveInt({ default: 2000, desc: 'Timeout of one discovery or JWKS fetch.' }),
  AUTH_JWKS_COOLDOWN_SECONDS: positiveInt({ default: 30, desc: 'A token with an unknown kid refetches the JWKS at most once per this time.' }),
  AUTH_JWKS_CACHE_SECONDS: positiveInt({ default: 600, desc: 'The JWKS is refetched after this time.' }),
  SEND_MAIL_REQUIRED_ROLE: str({ default: 'admin', desc: 'Role a caller needs in AUTH_ROLES_CLAIM to send mail.' }),
  FEATURE_EMAIL_SENT_EVENT: bool({ default: false, desc: 'Feature toggle: emit an email.sent CloudEvent to Kafka after each delivered mail. Off: no producer, no connection.' }),
  KAFKA_BROKERS: str({ default: undefined, requiredWhen: (env) => env.FEATURE_EMAIL_SENT_EVENT === true && env.ENVIRONMENT !== 'local', desc: 'Comma-separated host:port list. Unset locally: events go to EVENT_OUTBOX_FILE.', example: 'kafka-0.kafka:9092,kafka-1.kafka:9092' }),
  KAFKA_TOPIC: str({ default: 'mailer.email-sent.v1', desc: 'Topic of the email.sent events.' }),
  KAFKA_CLIENT_ID: str({ default: 'mailer-send-mail', desc: 'Kafka client id.' }),
  KAFKA_CONTENT_MODE: str({ choices: ['binary', 'structured'], default: 'binary', desc: 'CloudEvents Kafka binding mode.' }),
  KAFKA_SSL: bool({ default: false, desc: 'Connect to the brokers with TLS.' }),
  KAFKA_SASL_MECHANISM: str({ choices: ['plain', 'scram-sha-256', 'scram-sha-512'], default: undefined, desc: 'SASL mechanism; unset: no SASL.' }),
  KAFKA_SASL_USERNAME: str({ default: undefined, desc: 'SASL user name.' }),
  KAFKA_SASL_PASSWORD: str({ default: undefined, desc: 'SASL password.' }),
  KAFKA_SEND_TIMEOUT_MS: budgetMs({ default: 2000, desc: 'How long one event send may take, all attempts included: the Kafka client gives up within it by itself (two attempts, each request waiting about half of it); the breaker gives up at 1.5 × at the latest.' }),
  KAFKA_BREAKER_RESET_SECONDS: positiveInt({ default: 10, desc: 'How long the Kafka breaker stays open before a trial send.' }),
  EVENT_TYPE_PREFIX: str({ default: 'com.example.mailer', desc: 'The event type is <prefix>.email.sent.v1.' }),
  EVENT_SOURCE: str({ default: '/mailer/send-mail', desc: 'CloudEvent source (a URI reference).' }),
  PUBLIC_BASE_URL: httpUrl({ default: 'http://localhost:8080', desc: 'Public base URL of the API; event dataschema URLs point below it.' }),
  EVENT_OUTBOX_FILE: str({ default: '.outbox/events.jsonl', desc: 'Local only: where events go, one structured CloudEvent per line, when KAFKA_BROKERS is unset.' }),
  HEALTH_TIMEOUT_MS: positiveInt({ default: 1500, desc: 'health: timeout of each dependency check (they run in parallel).' }),
  HEALTH_CACHE_SECONDS: positiveInt({ default: 5, desc: 'health: how long a report is reused, so a probe storm does not hammer the dependencies.' }),
  HEALTH_DETAILS_ROLE: str({ default: 'ops', desc: 'health: role a caller needs to see details beyond the status words.' }),
  OUTBOX_DIR: str({ default: '.outbox', desc: 'Local only: where mails are written as .eml files when SMTP_URL is unset.' }),
};

export type SettingName = keyof typeof schema;

/** When a conditionally required setting is required, for the generated docs. */
export const requiredWhenNotes: Readonly<Partial<Record<SettingName, string>>> = {
  AUTH_ISSUER: 'required unless AUTH_JWKS_URL or AUTH_HS256_SECRET is set',
  KAFKA_BROKERS: 'required outside local when FEATURE_EMAIL_SENT_EVENT is on',
};

/** Embedded defaults for ENVIRONMENT=local only, so that `make dev` runs from nothing. */
export const localDefaults: Readonly<Partial<Record<SettingName, string>>> = {
  MAIL_FROM: 'mailer@localhost.localdomain',
  // Obviously fake, for `make dev` and `make token` only.
  AUTH_HS256_SECRET: 'local-dev-secret-not-for-any-real-environment',
};

/** Settings whose values must never be printed. */
export const secretSettings: ReadonlySet<SettingName> = new Set<SettingName>(['SMTP_URL', 'AUTH_HS256_SECRET', 'KAFKA_SASL_PASSWORD']);

/** Settings that locate the files; they are read from the environment only. */
export const fileSettings: ReadonlySet<SettingName> = new Set<SettingName>(['CONFIG_FILE', 'SECRETS_FILE']);
