/**
 * Part of `make profile`: ECS lines per second through pino with its path redaction (the paths send-mail
 * used before issue 19), with our key scan (shared/logging/redact.ts), and with none, on a line shaped like
 * the access line. Same process, interleaved rounds; lines go to a null sink.
 */
import { Writable } from 'node:stream';
import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type LoggerOptions } from 'pino';
import { redact } from '../../shared/logging/redact';
import { median } from './harness';

const PINO_PATHS = [
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
const LINES = 100_000;
const ACCESS_LINE = {
  http: { request: { method: 'POST', body: undefined }, response: { status_code: 200 } },
  url: { path: '/api/rest/v1/sendmail' },
  client: { ip: '127.0.0.1' },
  event: { duration: 1_234_567 },
  trace: { id: 'a3ce929d0e0e4736' },
  span: { id: '00f067aa0ba902b7' },
};

function logger(mode: 'pino' | 'scan' | 'none'): pino.Logger {
  const ecs = ecsFormat({ apmIntegration: false, serviceName: 'send-mail' });
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const formatters = ecs.formatters as Required<NonNullable<LoggerOptions['formatters']>>;
  const options: LoggerOptions = {
    ...ecs,
    ...(mode === 'pino' ? { redact: { paths: PINO_PATHS, censor: '[REDACTED]' } } : {}),
    ...(mode === 'scan'
      ? { formatters: { ...formatters, log: (obj: Record<string, unknown>) => formatters.log(redact(obj)) } }
      : {}),
  };
  return pino(options, sink);
}

export function measureRedaction(rounds = 5): Record<string, number> {
  const modes = ['pino', 'scan', 'none'] as const;
  const rates: Record<string, number[]> = { pino: [], scan: [], none: [] };
  const loggers = Object.fromEntries(modes.map((mode) => [mode, logger(mode)]));
  for (let round = 0; round < rounds; round += 1)
    for (const mode of modes) {
      const log = loggers[mode];
      const started = performance.now();
      for (let i = 0; i < LINES; i += 1) log?.info(ACCESS_LINE, 'request handled');
      rates[mode]?.push(LINES / ((performance.now() - started) / 1000));
    }
  return Object.fromEntries(modes.map((mode) => [mode, Math.round(median(rates[mode] ?? []))]));
}
