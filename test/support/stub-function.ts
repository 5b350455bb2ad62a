/**
 * A function with one stub route, hosted by the real launcher on loopback: the route is whatever the test
 * passes, and every invocation of the function itself is counted.
 */
import { defineFunction, type FunctionApp, type HttpResult, type IncomingRequest } from '../../shared/http';
import { launch, type RunningFunction } from '../../shared/launcher';
import { testConfig, type TestConfig } from './function-under-test';
import { createLogSink, type LogSink } from './log-sink';

export const STUB_PATH = '/stub';

export interface StubFunction {
  readonly url: string;
  readonly config: TestConfig;
  readonly running: RunningFunction;
  readonly logs: LogSink;
  /** How often the launcher invoked the function. */
  invocations(): number;
  /** Resolves when app.stop() was called. */
  readonly stopped: Promise<void>;
}

export interface StubOptions {
  readonly env?: Record<string, string>;
  readonly settleMs?: number;
}

export async function launchStub(
  handle: (request: IncomingRequest) => Promise<HttpResult> | HttpResult,
  options: StubOptions = {},
): Promise<StubFunction> {
  const logs = createLogSink();
  const config = testConfig(options.env);
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const defined = defineFunction({
    name: 'stub',
    target: 'stub',
    config,
    logDestination: logs.stream,
    ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
    build: () => ({
      routes: [
        { method: 'POST', path: STUB_PATH, handle },
        { method: 'GET', path: STUB_PATH, handle },
      ],
      stop: () => Promise.resolve(markStopped()),
    }),
  });
  let invocations = 0;
  const app: FunctionApp = {
    ...defined,
    pipeline: {
      ...defined.pipeline,
      handle: (req, res) => {
        invocations += 1;
        return defined.pipeline.handle(req, res) as unknown;
      },
    },
  };
  const running = await launch(app, config, '127.0.0.1');
  return { url: running.url, config, running, logs, invocations: () => invocations, stopped };
}

/** Resolves with the signal's reason once it aborts. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}
