/**
 * One request pipeline behind the real launcher: a request is logged and answered once, with its own
 * trace id, whether the launcher refused it (the body never finished) or the route ran past the deadline.
 */
import { isAppError } from '../../shared/errors';
import { headerBlocks, openRaw, statuses } from '../support/raw-http';
import { aborted, launchStub, STUB_PATH, type StubFunction } from '../support/stub-function';

/** A one-second request budget; the SMTP shares must nest inside it (config refuses them otherwise). */
const ONE_SECOND_REQUEST = {
  REQUEST_TIMEOUT_SECONDS: '1',
  SMTP_SEND_TIMEOUT_SECONDS: '1',
  SMTP_CONNECTION_TIMEOUT_SECONDS: '1',
  SMTP_GREETING_TIMEOUT_SECONDS: '1',
  SMTP_SOCKET_TIMEOUT_SECONDS: '1',
};
const INCOMING = '463ac35c9f6413ad48485a3953bb6124';

let fn: StubFunction | undefined;
afterEach(async () => {
  await fn?.running.shutdown();
  fn = undefined;
});

function accessLines(stub: StubFunction): Record<string, unknown>[] {
  return stub.logs.lines().filter((line) => (line.http as { response?: unknown } | undefined)?.response !== undefined);
}

/** Every exchange is over and its line written; a second line for the same request would be there by now. */
async function settled(stub: StubFunction): Promise<Record<string, unknown>[]> {
  while (stub.running.inFlight() > 0 || accessLines(stub).length === 0)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return accessLines(stub);
}

function traceHeader(received: string): string | undefined {
  return /^x-b3-traceid: (\S+)$/m.exec(headerBlocks(received)[0] ?? '')?.[1];
}

describe.each([
  { name: 'no trace id', headers: {}, expected: undefined },
  { name: 'an X-B3-TraceId', headers: { 'X-B3-TraceId': INCOMING }, expected: INCOMING },
])('when a request with $name times out', ({ headers, expected }) => {
  it("before the function ran (its body never finished), then one access-log line carries the 503's X-B3-TraceId", async () => {
    fn = await launchStub(() => ({ status: 200 }), { env: ONE_SECOND_REQUEST });
    const client = await openRaw(fn.url);
    const extra = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');

    client.socket.write(
      `POST ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 20\r\n${extra}\r\n{"never":`,
    );
    const received = await client.closed;
    const lines = await settled(fn);

    expect(statuses(received)).toEqual([503]);
    expect(fn.invocations()).toBe(0);
    const traceId = traceHeader(received);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    if (expected !== undefined) expect(traceId).toBe(expected);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: `POST ${STUB_PATH} 503`, trace: { id: traceId } });
  });

  it("while the route ran past REQUEST_TIMEOUT_SECONDS, then one access-log line carries the 503's X-B3-TraceId", async () => {
    fn = await launchStub(
      async (request) => {
        const reason = await aborted(request.signal);
        throw isAppError(reason) ? reason : new Error('aborted without an AppError');
      },
      { env: ONE_SECOND_REQUEST },
    );

    const answer = await fetch(`${fn.url}${STUB_PATH}`, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    const body = (await answer.json()) as { message?: string };
    const lines = await settled(fn);

    expect(answer.status).toBe(503);
    expect(body.message).toBe('http.request.timeout');
    const traceId = answer.headers.get('x-b3-traceid');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    if (expected !== undefined) expect(traceId).toBe(expected);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: `POST ${STUB_PATH} 503`, trace: { id: traceId } });
  });
});

it('when no proxy is trusted and a caller sends X-Forwarded-For, then client.ip is the socket peer, not the claimed address', async () => {
  fn = await launchStub(() => ({ status: 204 }));

  const answer = await fetch(`${fn.url}${STUB_PATH}`, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
  const lines = await settled(fn);

  expect(answer.status).toBe(204);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ client: { ip: '127.0.0.1' } });
});
