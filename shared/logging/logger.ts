/**
 * One pino logger per function. ECS JSON (for Logstash) or pretty lines (for people); every line of a
 * request carries its trace id through the tracing context.
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../config';
import { currentTrace } from '../tracing';
import { redact } from './redact';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** The function's name, logged as service.name. */
  readonly service: string;
  readonly version?: string;
  readonly config: Pick<Config, 'LOG_FORMAT' | 'LOG_LEVEL' | 'ENVIRONMENT'>;
  /** Where lines go; stdout by default. Tests pass a sink. */
  readonly destination?: DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const { config } = settings;
  const base: LoggerOptions = {
    level: config.LOG_LEVEL,
    mixin: traceFields,
  };
  if (config.LOG_FORMAT === 'ecs') {
    const ecs = ecsFormat({
      apmIntegration: false,
      serviceName: settings.service,
      serviceEnvironment: config.ENVIRONMENT,
      ...(settings.version ? { serviceVersion: settings.version } : {}),
    });
    const { log, bindings } = ecs.formatters as Required<NonNullable<LoggerOptions['formatters']>>;
    // Redaction first: what the ECS formatter and the serialisers see is already censored.
    const formatters = {
      ...ecs.formatters,
      log: (obj: Record<string, unknown>) => log(redact(obj)),
      bindings: (b: Record<string, unknown>) => bindings(redact(b)),
    };
    return redactingChildren(
      pino(
        { ...ecs, ...base, formatters, timestamp: ecsTimestamp() } as LoggerOptions,
        settings.destination ?? bufferedStdout(),
      ),
    );
  }
  const stream = settings.destination ?? prettyStream();
  const formatters = { log: redact, bindings: redact };
  return redactingChildren(pino({ ...base, formatters, base: { service: settings.service } } as LoggerOptions, stream));
}

/**
 * `@timestamp` as the ECS formatter writes it, formatted once per millisecond: under load several lines
 * share a millisecond, and `toISOString` was 1.3 % of the shared layer's CPU.
 */
export function ecsTimestamp(now: () => number = Date.now): () => string {
  let formattedAt = Number.NaN;
  let field = '';
  return () => {
    const ms = now();
    if (ms !== formattedAt) {
      formattedAt = ms;
      field = `,"@timestamp":"${new Date(ms).toISOString()}"`;
    }
    return field;
  };
}

/** pino formats a child's bindings without our formatter: children (and theirs, by inheritance) redact them here. */
function redactingChildren(logger: Logger): Logger {
  const proto = Object.getPrototypeOf(logger) as Pick<Logger, 'child'>;
  const child: Logger['child'] = function redactedChild(this: Logger, bindings, options) {
    return proto.child.call(this, redact(bindings), options);
  } as Logger['child'];
  return Object.assign(logger, { child });
}

/** Lines gathered per write, and the longest a line waits when traffic is too low to fill that. */
export const LOG_WRITE_BYTES = 4096;
export const LOG_FLUSH_MS = 100;

/**
 * Asynchronous writes keep the event loop off stdout, and gathering lines makes one write per few KB
 * instead of one per line (one write per line cost 13 % of the CPU under load). A timer bounds how long a
 * line can wait; the launcher flushes before the process exits.
 */
function bufferedStdout(): DestinationStream {
  const destination = pino.destination({ fd: 1, sync: false, minLength: LOG_WRITE_BYTES });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      // destroyed while exiting: nothing left to flush
    }
  }, LOG_FLUSH_MS).unref();
  return destination;
}

/**
 * Writes every line buffered so far, now and synchronously: for a line that must be out before the process
 * may end (a dead letter). A write already handed to the OS completes on its own. Streams without a
 * synchronous flush (pretty output, test sinks) write synchronously already.
 */
export function flushLogsSync(logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    { flushSync?: () => void } | undefined;
  try {
    stream?.flushSync?.();
  } catch {
    // destroyed while exiting, or not open yet: nothing more can be written
  }
}

/** Loaded only for pretty output, so the production (ECS) start never pays for it. */
function prettyStream(): DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pino-pretty loads only for pretty output, synchronously
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ sync: true, singleLine: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname' });
}

function traceFields(): object {
  const trace = currentTrace();
  return trace ? { trace: { id: trace.traceId }, span: { id: trace.spanId } } : {};
}
