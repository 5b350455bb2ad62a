/**
 * The shutdown drain against a stub route: when in-flight requests are aborted (SHUTDOWN_TIMEOUT_SECONDS
 * minus settleMs), who answers them, and that the function is stopped only after its requests settled.
 */
import { isAppError } from '../../../../shared/errors';
import { headerBlocks, openRaw, post, statuses } from '../../../support/raw-http';
import { aborted, launchStub, STUB_PATH } from '../../../support/stub-function';
import { eventually } from '../../../support/eventually';

const codeOf = (reason: unknown): string | undefined => (isAppError(reason) ? reason.code : undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

it('when the drain reaches its deadline minus settleMs with a request running, then the signal aborts with http.server.draining, the route answers with Connection: close, and only then the function stops', async () => {
  const events: string[] = [];
  let invoked: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (invoked = resolve));
  let abortedAfterMs = 0;
  let drainStarted = 0;
  const fn = await launchStub(
    async (request) => {
      invoked();
      const reason = await aborted(request.signal);
      abortedAfterMs = Date.now() - drainStarted;
      events.push('aborted');
      await sleep(200); // what the function still settles after the abort, within settleMs
      events.push('answered');
      return { status: 200, json: { aborted: codeOf(reason) } };
    },
    { env: { SHUTDOWN_TIMEOUT_SECONDS: '2' }, settleMs: 1500 },
  );
  void fn.stopped.then(() => events.push('stopped'));
  const client = await openRaw(fn.url);
  client.socket.write(`GET ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  await running;

  drainStarted = Date.now();
  await fn.running.shutdown();
  const received = await client.closed;

  expect(abortedAfterMs).toBeGreaterThanOrEqual(450);
  expect(abortedAfterMs).toBeLessThan(1500);
  expect(statuses(received)).toEqual([200]);
  expect(received).toContain('{"aborted":"http.server.draining"}');
  expect(headerBlocks(received)[0]).toContain('connection: close');
  expect(events).toEqual(['aborted', 'answered', 'stopped']);
});

it('when a request is still sending its body as the drain aborts, then the launcher answers 503 http.server.draining and the function never runs', async () => {
  const fn = await launchStub(() => ({ status: 200 }), { env: { SHUTDOWN_TIMEOUT_SECONDS: '1' } });
  const client = await openRaw(fn.url);
  client.socket.write(post(STUB_PATH, '{"slow":"body"}').slice(0, -3));
  await eventually(
    () => fn.running.inFlight(),
    (inFlight) => inFlight > 0,
    { what: 'a request in flight', intervalMs: 5 },
  );

  await fn.running.shutdown();
  const received = await client.closed;

  expect(statuses(received)).toEqual([503]);
  expect(received).toContain('"message":"http.server.draining"');
  expect(headerBlocks(received)[0]).toContain('connection: close');
  expect(fn.invocations()).toBe(0);
});

it('when a route ignores its signal past the drain deadline, then its connection is cut, and the function stops only after the route settled', async () => {
  const events: string[] = [];
  let invoked: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (invoked = resolve));
  const fn = await launchStub(
    async () => {
      invoked();
      await sleep(1500);
      events.push('settled');
      return { status: 200 };
    },
    { env: { SHUTDOWN_TIMEOUT_SECONDS: '1' } },
  );
  void fn.stopped.then(() => events.push('stopped'));
  const client = await openRaw(fn.url);
  client.socket.write(`GET ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  await running;

  await fn.running.shutdown();

  expect(await client.closed).toBe('');
  expect(events).toEqual(['settled', 'stopped']);
  expect(
    fn.logs.lines().some((line) => line.message === 'shutdown deadline reached; cutting the requests still in flight'),
  ).toBe(true);
});
