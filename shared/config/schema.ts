/**
 * Every setting of every function, in one place: name, type, default and description. The README's
 * config table is generated from this file, and the loader validates against it.
 */
import { bool, email, makeValidator, port, str } from 'envalid';

const positiveInt = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value <= 0) throw new Error('expected a positive integer');
  return value;
});

const smtpUrl = makeValidator<string>((input) => {
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new Error('expected an smtp:// or smtps:// URL');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new Error('expected an smtp:// or smtps:// URL');
  }
  if (parsed.hostname === '') throw new Error('expected a host in the URL');
  return input;
});

/** Human names of the setting types, keyed by envalid's parser, for the generated docs. */
export const typeNames: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [str({})._parse, 'string'],
  [bool({})._parse, 'boolean'],
  [port({})._parse, 'port'],
  [email({})._parse, 'email'],
  [positiveInt({})._parse, 'positive integer'],
  [smtpUrl({})._parse, 'smtp:// or smtps:// URL'],
]);

const outsideLocal = (env: Record<string, unknown>): boolean => env.ENVIRONMENT !== 'local';

export const schema = {
  CONFIG_FILE: str({ default: undefined, desc: 'YAML file with settings (a mounted ConfigMap). Nested keys map to UPPER_SNAKE names.' }),
  SECRETS_FILE: str({ default: undefined, desc: 'YAML file with secret settings (a mounted Secret). Wins over CONFIG_FILE.' }),
  ENVIRONMENT: str({ choices: ['local', 'dev', 'staging', 'production'], default: 'local', desc: 'Where this runs; everything but local requires real peers.' }),
  PORT: port({ default: 8080, desc: 'HTTP port the function listens on.' }),
  LOG_FORMAT: str({ choices: ['ecs', 'pretty'], default: undefined, desc: 'ecs: Elastic Common Schema JSON; pretty: for humans. Default: ecs when K_SERVICE is set, else pretty.' }),
  LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', desc: 'Lowest level that is logged.' }),
  K_SERVICE: str({ default: undefined, desc: 'Set by Knative: the service name.' }),
  K_REVISION: str({ default: undefined, desc: 'Set by Knative: the revision name.' }),
  MAX_BODY_BYTES: positiveInt({ default: 65536, desc: 'Largest request body accepted; larger ones get 413 before they are buffered.' }),
  REQUEST_TIMEOUT_SECONDS: positiveInt({ default: 30, desc: 'A request that has no answer by then gets 503.' }),
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt({ default: 20, desc: 'How long in-flight requests may finish after SIGTERM.' }),
  SMTP_URL: smtpUrl({ default: undefined, requiredWhen: outsideLocal, desc: 'SMTP server, smtp:// or smtps://, with optional user:password. Unset locally: mail goes to OUTBOX_DIR.', example: 'smtps://user:pass@mail.example.com:465' }),
  SMTP_POOL_SIZE: positiveInt({ default: 5, desc: 'Pooled SMTP connections per instance.' }),
  SMTP_CONNECTION_TIMEOUT_SECONDS: positiveInt({ default: 5, desc: 'Time to establish the SMTP connection.' }),
  SMTP_GREETING_TIMEOUT_SECONDS: positiveInt({ default: 5, desc: 'Time to wait for the SMTP greeting.' }),
  SMTP_SOCKET_TIMEOUT_SECONDS: positiveInt({ default: 15, desc: 'Idle time allowed on an SMTP connection.' }),
  SMTP_REQUIRE_TLS: bool({ default: false, desc: 'Refuse to send unless STARTTLS succeeds (smtp:// URLs).' }),
  MAIL_FROM: email({ default: undefined, requiredWhen: outsideLocal, desc: 'Fixed sender address of every mail.', example: 'mailer@example.com' }),
  OUTBOX_DIR: str({ default: '.outbox', desc: 'Local only: where mails are written as .eml files when SMTP_URL is unset.' }),
};

export type SettingName = keyof typeof schema;

/** Embedded defaults for ENVIRONMENT=local only, so that `make dev` runs from nothing. */
export const localDefaults: Readonly<Partial<Record<SettingName, string>>> = {
  MAIL_FROM: 'mailer@localhost.localdomain',
};

/** Settings whose values must never be printed. */
export const secretSettings: ReadonlySet<SettingName> = new Set<SettingName>(['SMTP_URL']);

/** Settings that locate the files; they are read from the environment only. */
export const fileSettings: ReadonlySet<SettingName> = new Set<SettingName>(['CONFIG_FILE', 'SECRETS_FILE']);
