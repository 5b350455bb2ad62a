/**
 * The only place that reads process.env. Everything else receives a typed, validated Config.
 */
import { ConfigError, loadConfig } from './load';
import type { Config, FunctionSettings, Specs } from './settings';

export { inFlightBodyProblems, requestBudgetProblems, settleProblems, type BudgetShare } from './budget';
export { configTable, configTables } from './docs';
export { ConfigError, loadConfig, type LoadOptions } from './load';
export { commonSpecs, type CommonSpecs } from './schema';
export {
  commonSettings,
  composeSettings,
  type AnyFunctionSettings,
  defineSettings,
  unionSettings,
  type Config,
  type FunctionSettings,
  type LogFormat,
  type AnySettingsFragment,
  type SettingsFragment,
  type SettingsOf,
  type SettingsRule,
  type Specs,
} from './settings';
export {
  describedValidator,
  httpUrl,
  nonNegativeInt,
  positiveInt,
  redisUrl,
  secret32,
  smtpUrl,
  uriReference,
  urlOf,
} from './validators';

/** Loads a function's configuration from this process's environment, or exits non-zero listing every problem. */
export function loadProcessConfig<S extends Specs>(settings: FunctionSettings<S>): Config<S> {
  // Start-up phases, logged by the launcher when it listens.
  performance.mark('mailer:modules-loaded');
  try {
    const config = loadConfig(settings, process.env);
    performance.mark('mailer:config-loaded');
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
