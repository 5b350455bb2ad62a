/**
 * The HTTP function without our launcher, as the stock functions-framework CLI hosts it: the route still
 * gets a signal, which aborts when the client goes away before the answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAppError } from '../../../../shared/errors';
import { defineFunction, type IncomingRequest } from '../../../../shared/http';
import { testConfig } from '../../../support/function-under-test';
import { createLogSink } from '../../../support/log-sink';
import { openRaw } from '../../../support/raw-http';
import { aborted } from '../../../support/stub-function';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  return new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const logs = createLogSink();

async function hostWithoutLauncher(handle: (request: IncomingRequest) => Promise<{ status: number }>): Promise<string> {
  const app = defineFunction({
    name: 'stub',
    target: 'stub',
    config: testConfig(),
    logDestination: logs.stream,
    build: () => ({ routes: [{ method: 'GET', path: '/stub', handle }] }),
  });
  server = createServer((req, res) => void app.handle(req as never, res as never));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
}

it('when there is no launcher and the client goes away before the answer, then the signal aborts with http.client.closed', async () => {
  let invoked: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (invoked = resolve));
  let reason: Promise<unknown> = Promise.resolve(undefined);
  const url = await hostWithoutLauncher((request) => {
    reason = aborted(request.signal);
    invoked();
    return reason.then(() => ({ status: 200 }));
  });
  const client = await openRaw(url);
  client.socket.write('GET /stub HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await running;

  client.socket.destroy();
  const code = await reason.then((value) => (isAppError(value) ? value.code : undefined));

  expect(code).toBe('http.client.closed');
});

it('when there is no launcher and the answer is written, then the signal never aborts', async () => {
  const seen: IncomingRequest[] = [];
  const url = await hostWithoutLauncher((request) => {
    seen.push(request);
    return Promise.resolve({ status: 204 });
  });

  const answer = await fetch(`${url}/stub`);

  expect(answer.status).toBe(204);
  expect(seen.map((request) => request.signal.aborted)).toEqual([false]);
});

it.each(['/livez', '/readyz', '/metrics'])(
  'when there is no launcher and %s is asked, then it is answered before the pipeline: no trace header, no access-log line',
  async (path) => {
    const url = await hostWithoutLauncher(() => Promise.resolve({ status: 204 }));
    const before = logs.lines().length;

    const answer = await fetch(`${url}${path}`);
    await answer.arrayBuffer();
    const routed = await fetch(`${url}/stub`);
    await routed.arrayBuffer();
    while (logs.lines().length === before) await new Promise((resolve) => setTimeout(resolve, 10));

    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-b3-traceid')).toBeNull();
    expect(routed.headers.get('x-b3-traceid')).toMatch(/^[0-9a-f]{32}$/);
    expect(
      logs
        .lines()
        .slice(before)
        .map((line) => line.message),
    ).toEqual(['GET /stub 204']);
  },
);

describe("the route's request", () => {
  /** A server whose requests count how often the route's request reads Node's headersDistinct. */
  async function host(path: string, handle: (request: IncomingRequest) => { status: number; json?: unknown }) {
    let distinctReads = 0;
    const app = defineFunction({
      name: 'stub',
      target: 'stub',
      config: testConfig(),
      logDestination: logs.stream,
      build: () => ({ routes: [{ method: 'GET', path, handle }] }),
    });
    server = createServer((req, res) => {
      const built = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(req), 'headersDistinct');
      Object.defineProperty(req, 'headersDistinct', {
        get() {
          distinctReads += 1;
          return built?.get?.call(req) as unknown;
        },
      });
      void app.handle(req as never, res as never);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}`, distinctReads: () => distinctReads };
  }

  it('when a route reads neither, then the headers are never split per value (headersDistinct stays unbuilt)', async () => {
    const fn = await host('/stub', () => ({ status: 200 }));

    expect((await fetch(`${fn.url}/stub?a=1`)).status).toBe(200);
    expect(fn.distinctReads()).toBe(0);
  });

  it('when a route has a template path, then it gets the decoded segment and the query it reads', async () => {
    const fn = await host('/items/{id}', (request) => ({
      status: 200,
      json: { id: request.params?.id, limit: request.query?.get('limit') },
    }));

    const answer = await fetch(`${fn.url}/items/a%40b?limit=2`);

    expect(await answer.json()).toEqual({ id: 'a@b', limit: '2' });
  });
});
