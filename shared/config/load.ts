/**
 * Loads a function's configuration once, at start, against its composed schema (see settings.ts).
 * Sources, later wins: schema defaults < CONFIG_FILE < SECRETS_FILE < environment variables. Every problem
 * is collected and reported at once; secret values never appear in a message.
 */
import { readFileSync } from 'node:fs';
import { cleanEnv, EnvMissingError } from 'envalid';
import { fileSettings } from './schema';
import type { Config, FunctionSettings, LogFormat, Specs } from './settings';
import { readYamlSettings, type RawSettings, type ReadFile, SourceProblem } from './sources';
import { typeNameOf } from './validators';

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

export function loadConfig<S extends Specs>(
  settings: FunctionSettings<S>,
  env: Readonly<Record<string, string | undefined>>,
  options: LoadOptions = {},
): Config<S> {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const { specs } = settings;
  const sourceProblems: SourceProblem[] = [];
  const fromFiles: RawSettings = {};
  for (const name of ['CONFIG_FILE', 'SECRETS_FILE'] as const) {
    for (const path of filePaths(env[name])) {
      Object.assign(
        fromFiles,
        checkKnown(settings, readYamlSettings(path, readFile, sourceProblems), path, sourceProblems),
      );
    }
  }
  const merged: Record<string, string | undefined> = { ...fromFiles };
  for (const name of Object.keys(specs)) {
    if (env[name] !== undefined) merged[name] = env[name];
  }
  if ((merged.ENVIRONMENT ?? 'local') === 'local') {
    for (const [name, value] of Object.entries(settings.localDefaults)) merged[name] ??= value;
  }

  const problems = sourceProblems.map((p) => p.message);
  const order = Object.keys(specs);
  const cleaned = cleanEnv(merged, specs, {
    reporter: ({ errors }) => {
      // In the schema's order: envalid judges the conditionally required settings last.
      const invalid = Object.entries(errors).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
      for (const [name, error] of invalid) {
        if (error) problems.push(describe(settings, name, error, merged[name]));
      }
    },
  }) as unknown as Record<string, unknown>;
  const logFormat: LogFormat =
    cleaned.LOG_FORMAT === 'ecs' || cleaned.LOG_FORMAT === 'pretty'
      ? cleaned.LOG_FORMAT
      : cleaned.K_SERVICE
        ? 'ecs'
        : 'pretty';
  const config = Object.freeze({ ...cleaned, LOG_FORMAT: logFormat }) as Config<S>;
  // Rules across settings are judged once each setting is valid on its own.
  if (problems.length === 0) problems.push(...settings.rules.flatMap((rule) => rule(config)));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** CONFIG_FILE and SECRETS_FILE each name one file or a comma-separated list (a ConfigMap's keys by owner). */
function filePaths(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');
}

function checkKnown(
  settings: FunctionSettings<Specs>,
  values: RawSettings,
  path: string,
  problems: SourceProblem[],
): RawSettings {
  for (const name of Object.keys(values)) {
    if (!(name in settings.specs) || fileSettings.has(name)) {
      problems.push(new SourceProblem(`${path}: unknown setting ${name}`));
      delete values[name];
    }
  }
  return values;
}

/** One line per problem that says what form was expected; a secret's value is never quoted. */
function describe(settings: FunctionSettings<Specs>, name: string, error: Error, value: string | undefined): string {
  if (error instanceof EnvMissingError) return `${name}: required but not set`;
  const spec = settings.specs[name];
  const type = (spec && typeNameOf(spec)) ?? 'another value';
  const expected = `expected ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
  if (settings.secrets.has(name)) {
    // Our own validators name the form without the value; envalid's built-in ones quote it.
    const quotesValue = value !== undefined && value !== '' && error.message.includes(value);
    return `${name}: ${quotesValue ? `invalid value; ${expected}` : error.message}`;
  }
  return /\bexpected\b|\bchoices\b/.test(error.message)
    ? `${name}: ${error.message}`
    : `${name}: ${error.message}; ${expected}`;
}
