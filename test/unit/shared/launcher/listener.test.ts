/**
 * The launcher's listener in front of a stub route: the request's AbortSignal and its reasons, who answers
 * on the deadline, and the slow-client edges of finding 6 (a late body, Expect: 100-continue).
 */
import { isAppError } from '../../../../shared/errors';
import type { IncomingRequest } from '../../../../shared/http';
import { headerBlocks, openRaw, post, statuses } from '../../../support/raw-http';
import { aborted, launchStub, STUB_PATH, type StubFunction } from '../../../support/stub-function';

/** A one-second request budget; the SMTP shares must nest inside it (config refuses them otherwise). */
const ONE_SECOND_REQUEST = {
  REQUEST_TIMEOUT_SECONDS: '1',
  SMTP_SEND_TIMEOUT_SECONDS: '1',
  SMTP_CONNECTION_TIMEOUT_SECONDS: '1',
  SMTP_GREETING_TIMEOUT_SECONDS: '1',
  SMTP_SOCKET_TIMEOUT_SECONDS: '1',
};

const codeOf = (reason: unknown): string | undefined => (isAppError(reason) ? reason.code : undefined);

describe('the request signal', () => {
  let fn: StubFunction | undefined;
  afterEach(async () => {
    await fn?.running.shutdown();
    fn = undefined;
  });

  it('when the request deadline passes while the route runs, then the signal aborts with http.request.timeout and the route answers, not the launcher', async () => {
    fn = await launchStub(
      async (request) => ({ status: 200, json: { aborted: codeOf(await aborted(request.signal)) } }),
      { env: ONE_SECOND_REQUEST },
    );

    const answer = await fetch(`${fn.url}${STUB_PATH}`);

    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ aborted: 'http.request.timeout' });
  });

  it('when a second request starts while the first runs, then each aborts at its own deadline, not at the first one', async () => {
    const invokedAt: number[] = [];
    fn = await launchStub(
      async (request) => {
        const started = performance.now();
        invokedAt.push(started);
        const reason = await aborted(request.signal);
        return { status: 200, json: { aborted: codeOf(reason), after: performance.now() - started } };
      },
      { env: ONE_SECOND_REQUEST },
    );
    const url = `${fn.url}${STUB_PATH}`;

    const first = fetch(url).then((answer) => answer.json() as Promise<{ aborted: string; after: number }>);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = fetch(url).then((answer) => answer.json() as Promise<{ aborted: string; after: number }>);
    const answers = await Promise.all([first, second]);

    expect(answers.map((answer) => answer.aborted)).toEqual(['http.request.timeout', 'http.request.timeout']);
    // Each ran for its own second (less the moment between its arrival and its route starting).
    for (const answer of answers) expect(answer.after).toBeGreaterThan(900);
    expect((invokedAt[1] ?? 0) - (invokedAt[0] ?? 0)).toBeGreaterThan(400);
  });

  it('when the client closes its connection while the route runs, then the signal aborts with http.client.closed', async () => {
    let invoked: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (invoked = resolve));
    let reason: Promise<unknown> = Promise.resolve(undefined);
    fn = await launchStub((request) => {
      reason = aborted(request.signal);
      invoked();
      return reason.then(() => ({ status: 200 }));
    });
    const client = await openRaw(fn.url);
    client.socket.write(`GET ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await running;

    client.socket.destroy();

    expect(codeOf(await reason)).toBe('http.client.closed');
  });

  it('when the answer is written in time, then the signal never aborts', async () => {
    const seen: IncomingRequest[] = [];
    fn = await launchStub((request) => {
      seen.push(request);
      return { status: 204 };
    });

    const answer = await fetch(`${fn.url}${STUB_PATH}`, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    await answer.arrayBuffer();

    expect(answer.status).toBe(204);
    expect(seen.map((request) => request.signal.aborted)).toEqual([false]);
  });
});

describe('finding 6: edges of slow clients', () => {
  let fn: StubFunction | undefined;
  afterEach(async () => {
    await fn?.running.shutdown();
    fn = undefined;
  });

  it('when a body completes after the request deadline, then the launcher answers 503 and the function is never invoked', async () => {
    fn = await launchStub(() => ({ status: 200 }), { env: ONE_SECOND_REQUEST });
    const client = await openRaw(fn.url);
    const request = post(STUB_PATH, '{"late":"body"}');

    client.socket.write(request.slice(0, -5));
    const answered = await client.until(/\r\n\r\n\{.*\}$/s);
    if (!client.socket.destroyed) client.socket.write(request.slice(-5));
    const received = await client.closed;

    expect(answered).toBe(received);
    expect(statuses(received)).toEqual([503]);
    expect(received).toContain('"message":"http.request.timeout"');
    expect(headerBlocks(received)[0]).toContain('connection: close');
    expect(fn.invocations()).toBe(0);
    expect(fn.logs.lines().filter((line) => line.message === 'unhandled rejection')).toEqual([]);
  });

  it('when Expect: 100-continue comes with a Content-Length over MAX_BODY_BYTES, then the answer is 413 with Connection: close and never 100 Continue', async () => {
    fn = await launchStub(() => ({ status: 200 }), { env: { MAX_BODY_BYTES: '1024' } });
    const client = await openRaw(fn.url);

    client.socket.write(
      `POST ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1025\r\nExpect: 100-continue\r\n\r\n`,
    );
    const received = await client.closed;

    expect(statuses(received)).toEqual([413]);
    expect(received).toContain('"message":"http.body.toolarge"');
    expect(headerBlocks(received)[0]).toContain('connection: close');
    expect(fn.invocations()).toBe(0);
  });

  it('when Expect: 100-continue comes with a body within the limit, then 100 Continue comes first and the function answers the body', async () => {
    fn = await launchStub((request) => ({ status: 200, json: { length: request.body.length } }), {
      env: { MAX_BODY_BYTES: '1024' },
    });
    const client = await openRaw(fn.url);

    client.socket.write(
      `POST ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    await client.until(/^HTTP\/1\.1 100 /m);
    client.socket.write('{}');
    const received = await client.closed;

    expect(statuses(received)).toEqual([100, 200]);
    expect(received).toContain('{"length":2}');
  });

  it("when a client sends part of a header line and then nothing, then it is answered 408 and closed at HTTP_HEADERS_TIMEOUT_SECONDS, not at Node's 30 s check", async () => {
    fn = await launchStub(() => ({ status: 200 }), { env: { HTTP_HEADERS_TIMEOUT_SECONDS: '1' } });
    const client = await openRaw(fn.url);
    const started = Date.now();

    client.socket.write(`GET ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\nX-Slow: a`);
    const received = await client.closed;

    expect(Date.now() - started).toBeLessThan(2500);
    expect(statuses(received)).toEqual([408]);
    expect(fn.invocations()).toBe(0);
  }, 10_000);
});

describe('issue 30: the in-flight body budget (MAX_INFLIGHT_BODY_BYTES)', () => {
  let fn: StubFunction | undefined;
  afterEach(async () => {
    await fn?.running.shutdown();
    fn = undefined;
  });

  it('when the bodies held already leave no room, then the next request is 503 server.busy with Retry-After, unread, and once they are answered it is admitted', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let received = 0;
    fn = await launchStub(
      async (request) => {
        received += request.body.length;
        if (request.body.length === 1000) await held;
        return { status: 200, json: { bytes: request.body.length } };
      },
      // send-mail's settings are in the test config: its attachments and batches are kept small, so its own rule holds.
      {
        env: {
          MAX_BODY_BYTES: '1000',
          MAX_ATTACHMENT_BYTES: '1',
          MAX_ATTACHMENTS: '1',
          MAX_BATCH_SIZE: '1',
          MAX_INFLIGHT_BODY_BYTES: '2100',
        },
      },
    );
    const url = `${fn.url}${STUB_PATH}`;

    const holding = [1, 2].map(() => fetch(url, { method: 'POST', body: 'a'.repeat(1000) }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await fetch(url, { method: 'POST', body: 'b'.repeat(500) });
    const small = await fetch(url, { method: 'POST', body: 'c'.repeat(100) });
    release();
    const heldAnswers = await Promise.all(holding);
    const afterwards = await fetch(url, { method: 'POST', body: 'd'.repeat(500) });

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { message: string }).message).toBe('server.busy');
    expect([small.status, ...heldAnswers.map((answer) => answer.status), afterwards.status]).toEqual([
      200, 200, 200, 200,
    ]);
    // The refused body was never handed to the function.
    expect(received).toBe(1000 + 1000 + 100 + 500);
  });

  it('when the budget is below the body limit, then start-up is refused with config.invalid naming the budget', async () => {
    await expect(
      launchStub(() => ({ status: 200 }), { env: { MAX_BODY_BYTES: '2000', MAX_INFLIGHT_BODY_BYTES: '1000' } }),
    ).rejects.toMatchObject({
      code: 'config.invalid',
      problems: expect.arrayContaining([expect.stringMatching(/^MAX_INFLIGHT_BODY_BYTES: .*below MAX_BODY_BYTES/)]),
    });
  });
});
