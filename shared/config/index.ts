/**
 * The only place that reads process.env. Everything else receives a typed, validated Config.
 */
import { ConfigError, loadConfig, type Config } from './load';

export { eventSettleMs } from './budget';
export { ConfigError, loadConfig, type Config, type LoadOptions } from './load';
export { localDefaults, schema, secretSettings, type SettingName } from './schema';

/** Loads the configuration from this process's environment, or exits non-zero listing every problem. */
export function loadProcessConfig(): Config {
  // Start-up phases, logged by the launcher when it listens.
  performance.mark('mailer:modules-loaded');
  try {
    const config = loadConfig(process.env);
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
export { configTable } from './docs';
