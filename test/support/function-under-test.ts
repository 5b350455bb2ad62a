/**
 * Starts a function in-process behind our real launcher on a free loopback port, with ECS logs collected
 * in memory. Acceptance tests talk to it over real HTTP.
 */
import type { DestinationStream } from 'pino';
import { createFeedbackApp } from '../../functions/feedback/app';
import { feedbackSettings } from '../../functions/feedback/settings';
import { healthSettings } from '../../functions/health/settings';
import { sendMailSettings } from '../../functions/send-mail/settings';
import { loadConfig, unionSettings, type Config } from '../../shared/config';
import type { FunctionApp } from '../../shared/http';
import { launch, type RunningFunction } from '../../shared/launcher';
import { createLogSink, type LogSink } from './log-sink';

/**
 * Every function's settings at once, so one test config serves each of them (in a test, send-mail and
 * health read the same peers). Each function's own schema is tested by its production start.
 */
const everySetting = unionSettings('tests', [sendMailSettings, healthSettings]);

export type TestConfig = Config<(typeof everySetting)['specs']>;

export type AppFactory = (config: TestConfig, logDestination?: DestinationStream) => FunctionApp;

export interface FunctionUnderTest {
  readonly url: string;
  readonly app: FunctionApp;
  readonly logs: LogSink;
  readonly running: RunningFunction;
  stop(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): TestConfig {
  return {
    ...loadConfig(everySetting, { ENVIRONMENT: 'local', LOG_FORMAT: 'ecs', LOG_LEVEL: 'info', ...env }),
    PORT: 0,
  };
}

export async function startFunction(create: AppFactory, env: Record<string, string> = {}): Promise<FunctionUnderTest> {
  const logs = createLogSink();
  const config = testConfig(env);
  const app = create(config, logs.stream);
  const running = await launch(app, config, '127.0.0.1');
  return { url: running.url, app, logs, running, stop: () => running.shutdown() };
}

/** feedback on its own settings (its KAFKA_TOPIC and EVENT_SOURCE are not send-mail's). */
export async function startFeedback(env: Record<string, string> = {}): Promise<FunctionUnderTest> {
  const logs = createLogSink();
  const config = {
    ...loadConfig(feedbackSettings, { ENVIRONMENT: 'local', LOG_FORMAT: 'ecs', LOG_LEVEL: 'info', ...env }),
    PORT: 0,
  };
  const app = createFeedbackApp(config, logs.stream);
  const running = await launch(app, config, '127.0.0.1');
  return { url: running.url, app, logs, running, stop: () => running.shutdown() };
}
