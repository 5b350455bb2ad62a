/**
 * Finding 3 of issue 13, the HTTP side of the SIGTERM drain: the real launcher with a stub function and
 * keep-alive clients that keep sending while it drains. Nothing that arrives after the signal runs;
 * every answer after it closes its connection; the drain converges.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { headerBlocks, openRaw, post, statuses } from '../support/raw-http';
import { launchStub, STUB_PATH } from '../support/stub-function';
import { eventually } from '../support/eventually';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  readonly sentAfterSignal: boolean;
  readonly answeredAfterSignal: boolean;
  readonly status?: number;
  readonly connection?: string;
  readonly message?: string;
}

function send(agent: Agent, url: string): Promise<{ status: number; connection?: string; message?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${STUB_PATH}`,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const message = text.startsWith('{') ? (JSON.parse(text) as { message?: string }).message : undefined;
          resolve({
            status: res.statusCode ?? 0,
            ...(res.headers.connection ? { connection: res.headers.connection } : {}),
            ...(message ? { message } : {}),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe('finding 3: when SIGTERM comes while keep-alive clients keep sending', () => {
  it('then nothing sent after the signal runs, every answer after it is 503 http.server.draining or closes its connection, and the drain converges', async () => {
    let signalled = false;
    let runAfterSignal = 0;
    let invocations = 0;
    const fn = await launchStub(
      async () => {
        invocations += 1;
        if (signalled) runAfterSignal += 1;
        await sleep(100);
        return { status: 200, json: {} };
      },
      { env: { SHUTDOWN_TIMEOUT_SECONDS: '5' } },
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const outcomes: Outcome[] = [];
    const client = async (): Promise<void> => {
      for (;;) {
        const sentAfterSignal = signalled;
        try {
          const answer = await send(agent, fn.url);
          outcomes.push({ sentAfterSignal, answeredAfterSignal: signalled, ...answer });
        } catch {
          // The connection was closed under the request, or a new one was refused: the client is done.
          if (signalled) return;
        }
      }
    };
    const clients = Array.from({ length: 10 }, () => client());
    await eventually(
      () => invocations,
      (count) => count >= 30,
      { what: '30 invocations', intervalMs: 10 },
    );

    signalled = true;
    const started = Date.now();
    await fn.running.shutdown();
    const drainedMs = Date.now() - started;
    await Promise.all(clients);
    agent.destroy();

    expect(runAfterSignal).toBe(0);
    const afterSignal = outcomes.filter((outcome) => outcome.answeredAfterSignal);
    expect(afterSignal.length).toBeGreaterThan(0);
    for (const outcome of afterSignal) {
      expect(outcome.connection).toBe('close');
      // A request sent just before the signal may reach the server after it: then it is refused too.
      const ranBeforeSignal = !outcome.sentAfterSignal && outcome.status === 200;
      expect(ranBeforeSignal || (outcome.status === 503 && outcome.message === 'http.server.draining')).toBe(true);
    }
    expect(drainedMs).toBeLessThan(5000);
    expect(fn.running.inFlight()).toBe(0);
  });

  it('then a request that completes on an old connection after the signal, and one pipelined behind it, are answered 503 http.server.draining with Connection: close and never run', async () => {
    let invoked: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => (invoked = resolve));
    const fn = await launchStub(
      async (request) => {
        invoked();
        // A GET keeps the drain open while the POSTs arrive; no POST may run at all.
        if (request.method === 'GET') await sleep(300);
        return { status: 200 };
      },
      { env: { SHUTDOWN_TIMEOUT_SECONDS: '5' } },
    );
    const inFlight = await openRaw(fn.url);
    inFlight.socket.write(`GET ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await holding;
    // The server's parser has the partial request once its socket emitted it (Node's listener runs first).
    const serverGotPart = new Promise<void>((resolve) =>
      fn.running.server.once('connection', (socket: Socket) => socket.once('data', () => resolve())),
    );
    const client = await openRaw(fn.url);
    const first = post(STUB_PATH, '{}');
    client.socket.write(first.slice(0, 20));
    await serverGotPart;

    const drained = fn.running.shutdown();
    client.socket.write(first.slice(20) + post(STUB_PATH, '{}'));
    const received = await client.closed;
    await drained;

    expect(statuses(await inFlight.closed)).toEqual([200]);
    expect(fn.invocations()).toBe(1);
    expect(statuses(received)).toEqual([503]);
    expect(received).toContain('"message":"http.server.draining"');
    expect(headerBlocks(received)[0]).toContain('connection: close');
  });
});
