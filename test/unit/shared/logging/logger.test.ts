import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createLogger, flushLogsSync, maskAddress } from '../../../../shared/logging';
import { ecsTimestamp } from '../../../../shared/logging/logger';
import { runWithTrace } from '../../../../shared/tracing';
import { createLogSink } from '../../../support/log-sink';

const config = { LOG_FORMAT: 'ecs', LOG_LEVEL: 'info', ENVIRONMENT: 'staging' } as const;

function ecsLogger(): { logs: ReturnType<typeof createLogSink>; logger: ReturnType<typeof createLogger> } {
  const logs = createLogSink();
  return { logs, logger: createLogger({ service: 'send-mail', version: '1.2.3', config, destination: logs.stream }) };
}

describe('createLogger with LOG_FORMAT=ecs', () => {
  it('when a line is logged inside a trace, then it carries the ECS base fields, the service and the trace', () => {
    const { logs, logger } = ecsLogger();

    runWithTrace({ traceId: 'a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true }, () =>
      logger.info('hello'),
    );

    expect(logs.lines()[0]).toMatchObject({
      '@timestamp': expect.any(String),
      'log.level': 'info',
      message: 'hello',
      'ecs.version': expect.any(String),
      'service.name': 'send-mail',
      'service.version': '1.2.3',
      'service.environment': 'staging',
      trace: { id: 'a3ce929d0e0e4736' },
      span: { id: '00f067aa0ba902b7' },
    });
  });

  it('when an error is logged, then it goes into error.type, error.message and error.stack_trace', () => {
    const { logs, logger } = ecsLogger();

    logger.error({ err: new TypeError('boom') }, 'unexpected error');

    expect(logs.lines()[0]).toMatchObject({
      error: { type: 'TypeError', message: 'boom', stack_trace: expect.stringContaining('TypeError: boom') },
    });
  });

  it('when credentials or a mail body are passed in, then they are redacted', () => {
    const { logs, logger } = ecsLogger();

    logger.info(
      {
        authorization: 'Bearer abc.def.ghi',
        req: { headers: { authorization: 'Bearer abc.def.ghi' } },
        mail: { body: 'secret text' },
        kafka: { password: 'pw' },
      },
      'x',
    );

    const text = logs.text();
    for (const secret of ['abc.def.ghi', 'secret text', '"pw"']) expect(text).not.toContain(secret);
  });

  it('when a child logger is bound to a secret, then its lines carry the censor instead', () => {
    const { logs, logger } = ecsLogger();

    logger.child({ kafka: { secret: 'bound-secret' }, token: 'bound-token' }).info('x');

    expect(logs.text()).not.toMatch(/bound-secret|bound-token/);
    expect(logs.lines()[0]).toMatchObject({ token: '[REDACTED]', kafka: { secret: '[REDACTED]' } });
  });

  it('when an error carries a token, then the line keeps the error and censors the token', () => {
    const { logs, logger } = ecsLogger();

    logger.error({ err: Object.assign(new TypeError('boom'), { token: 'err-token' }) }, 'failed');

    expect(logs.text()).not.toContain('err-token');
    expect(logs.lines()[0]).toMatchObject({ error: { type: 'TypeError', message: 'boom' } });
  });
});

describe('createLogger with LOG_FORMAT=pretty', () => {
  it('when credentials or a mail body are passed in, then they are redacted', () => {
    const logs = createLogSink();
    const logger = createLogger({
      service: 'send-mail',
      config: { ...config, LOG_FORMAT: 'pretty' },
      destination: logs.stream,
    });

    logger.info({ req: { headers: { authorization: 'Bearer pretty.tok' } }, mail: { body: 'pretty body' } }, 'x');

    expect(logs.text()).not.toMatch(/pretty\.tok|pretty body/);
  });
});

describe('flushLogsSync', () => {
  it('when a line waits in the write buffer, then after flushLogsSync it is in the file before anything else runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flush-'));
    const file = join(dir, 'out.log');
    // Like stdout in production: an open descriptor, asynchronous writes gathered into 4 KB.
    const destination = pino.destination({ fd: openSync(file, 'a'), sync: false, minLength: 4096 });
    try {
      const logger = createLogger({ service: 'send-mail', config, destination }).child({ component: 'events' });
      logger.error('dead letter');
      expect(readFileSync(file, 'utf8')).toBe('');

      flushLogsSync(logger);

      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ message: 'dead letter' });
    } finally {
      destination.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the stream has no synchronous flush, then flushLogsSync does nothing and does not throw', () => {
    const { logs, logger } = ecsLogger();
    logger.info('x');
    expect(() => flushLogsSync(logger)).not.toThrow();
    expect(logs.lines()).toHaveLength(1);
  });
});

describe('maskAddress', () => {
  it.each([
    { address: 'demo@example.com', masked: 'd***@example.com' },
    { address: 'a@b.example', masked: 'a***@b.example' },
    { address: 'no-at-sign', masked: '***' },
  ])('when the address is $address, then it is logged as $masked', ({ address, masked }) => {
    expect(maskAddress(address)).toBe(masked);
  });
});

describe('ecsTimestamp', () => {
  it("when called at any millisecond, then it writes the field exactly as the ECS formatter's own timestamp", () => {
    const { ecsFormat } = jest.requireActual<typeof import('@elastic/ecs-pino-format')>('@elastic/ecs-pino-format');
    const theirs = ecsFormat().timestamp as () => string;
    for (const ms of [0, 1_764_000_000_123, 1_764_000_000_999, 253_402_300_799_999]) {
      jest.useFakeTimers({ now: ms });
      try {
        expect(ecsTimestamp()()).toBe(theirs());
      } finally {
        jest.useRealTimers();
      }
    }
  });

  it('when called twice within a millisecond and once after it, then the field changes exactly when the millisecond does', () => {
    let now = 1_764_000_000_000;
    const timestamp = ecsTimestamp(() => now);

    const first = timestamp();
    const same = timestamp();
    now += 1;
    const next = timestamp();

    expect(same).toBe(first);
    expect(next).toBe(`,"@timestamp":"${new Date(1_764_000_000_001).toISOString()}"`);
    expect(first).toBe(`,"@timestamp":"${new Date(1_764_000_000_000).toISOString()}"`);
  });

  it('when an ECS line is logged, then its @timestamp is the time it was logged', () => {
    const { logs, logger } = ecsLogger();
    const before = Date.now();

    logger.info('hello');

    const stamp = Date.parse(String(logs.lines()[0]?.['@timestamp']));
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(Date.now());
  });
});
