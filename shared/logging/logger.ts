/**
 * One pino logger per function. ECS JSON (for Logstash) or pretty lines (for people); every line of a
 * request carries its trace id through the tracing context.
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../config';
import { currentTrace } from '../tracing';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** The function's name, logged as service.name. */
  readonly service: string;
  readonly version?: string;
  readonly config: Pick<Config, 'LOG_FORMAT' | 'LOG_LEVEL' | 'ENVIRONMENT'>;
  /** Where lines go; stdout by default. Tests pass a sink. */
  readonly destination?: DestinationStream;
}

/** Paths that must never reach a log line, whatever a caller passes in. */
export const redactedPaths = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'body',
  '*.body',
];

export function createLogger(settings: LoggerSettings): Logger {
  const { config } = settings;
  const base: LoggerOptions = {
    level: config.LOG_LEVEL,
    redact: { paths: redactedPaths, censor: '[REDACTED]' },
    mixin: traceFields,
  };
  if (config.LOG_FORMAT === 'ecs') {
    const ecs = ecsFormat({
      apmIntegration: false,
      serviceName: settings.service,
      serviceEnvironment: config.ENVIRONMENT,
      ...(settings.version ? { serviceVersion: settings.version } : {}),
    });
    // Asynchronous writes keep the event loop off stdout; the launcher flushes before the process exits.
    return pino({ ...ecs, ...base }, settings.destination ?? pino.destination({ fd: 1, sync: false }));
  }
  const stream = settings.destination ?? prettyStream();
  return pino({ ...base, base: { service: settings.service } }, stream);
}

/** Loaded only for pretty output, so the production (ECS) start never pays for it. */
function prettyStream(): DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ sync: true, singleLine: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname' });
}

function traceFields(): object {
  const trace = currentTrace();
  return trace ? { trace: { id: trace.traceId }, span: { id: trace.spanId } } : {};
}
