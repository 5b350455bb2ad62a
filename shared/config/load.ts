/**
 * Loads the configuration once, at start. Sources, later wins: schema defaults < CONFIG_FILE <
 * SECRETS_FILE < environment variables. Every problem is collected and reported at once; secret values
 * never appear in a message.
 */
import { readFileSync } from 'node:fs';
import { cleanEnv, EnvMissingError } from 'envalid';
import { timeBudgetProblems } from './budget';
import { fileSettings, localDefaults, schema, secretSettings, typeNames, type SettingName } from './schema';
import { readYamlSettings, type RawSettings, type ReadFile, SourceProblem } from './sources';

type Cleaned = ReturnType<typeof cleanEnv<typeof schema>>;
type LogFormat = 'ecs' | 'pretty';

/** The validated settings. LOG_FORMAT is always resolved; MAIL_FROM is set in every environment. */
export type Config = Readonly<Omit<Cleaned, 'LOG_FORMAT' | 'MAIL_FROM'> & { LOG_FORMAT: LogFormat; MAIL_FROM: string }>;

export class ConfigError extends Error {
  readonly code = 'config.invalid';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  readonly readFile?: ReadFile;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>, options: LoadOptions = {}): Config {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const sourceProblems: SourceProblem[] = [];
  const fromFiles: RawSettings = {};
  for (const name of ['CONFIG_FILE', 'SECRETS_FILE'] as const) {
    const path = env[name];
    if (path) Object.assign(fromFiles, checkKnown(readYamlSettings(path, readFile, sourceProblems), path, sourceProblems));
  }
  const merged: Record<string, string | undefined> = { ...fromFiles };
  for (const name of Object.keys(schema)) {
    if (env[name] !== undefined) merged[name] = env[name];
  }
  if ((merged.ENVIRONMENT ?? 'local') === 'local') {
    for (const [name, value] of Object.entries(localDefaults)) merged[name] ??= value;
  }

  const problems = sourceProblems.map((p) => p.message);
  const cleaned = cleanEnv(merged, schema, {
    reporter: ({ errors }) => {
      for (const [name, error] of Object.entries(errors)) {
        if (error) problems.push(describe(name as SettingName, error, merged[name]));
      }
    },
  });
  // Rules across settings are judged once each setting is valid on its own.
  if (problems.length === 0) problems.push(...crossChecks(cleaned));
  if (problems.length > 0) throw new ConfigError(problems);

  const logFormat: LogFormat = cleaned.LOG_FORMAT === 'ecs' || cleaned.LOG_FORMAT === 'pretty'
    ? cleaned.LOG_FORMAT
    : cleaned.K_SERVICE ? 'ecs' : 'pretty';
  return Object.freeze({ ...cleaned, LOG_FORMAT: logFormat, MAIL_FROM: cleaned.MAIL_FROM ?? '' });
}

function checkKnown(settings: RawSettings, path: string, problems: SourceProblem[]): RawSettings {
  for (const name of Object.keys(settings)) {
    if (!(name in schema) || fileSettings.has(name as SettingName)) {
      problems.push(new SourceProblem(`${path}: unknown setting ${name}`));
      delete settings[name];
    }
  }
  return settings;
}

/** One line per problem that says what form was expected; a secret's value is never quoted. */
function describe(name: SettingName, error: Error, value: string | undefined): string {
  if (error instanceof EnvMissingError) return `${name}: required but not set`;
  const type = typeNames.get(schema[name]._parse) ?? 'another value';
  const expected = `expected ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
  if (secretSettings.has(name)) {
    // Our own validators name the form without the value; envalid's built-in ones quote it.
    const quotesValue = value !== undefined && value !== '' && error.message.includes(value);
    return `${name}: ${quotesValue ? `invalid value; ${expected}` : error.message}`;
  }
  return /\bexpected\b|\bchoices\b/.test(error.message) ? `${name}: ${error.message}` : `${name}: ${error.message}; ${expected}`;
}

/** Rules that span settings. */
function crossChecks(config: Cleaned): string[] {
  const problems: string[] = [];
  if (config.AUTH_HS256_SECRET !== undefined && config.ENVIRONMENT === 'production' && !config.AUTH_ALLOW_HS256_IN_PRODUCTION) {
    problems.push('AUTH_HS256_SECRET: refused in production unless AUTH_ALLOW_HS256_IN_PRODUCTION=true');
  }
  problems.push(...timeBudgetProblems(config));
  return problems;
}
