/**
 * A Knative-style CloudEvents sink for tests: a real HTTP server on a free loopback port that decodes each
 * request with the cloudevents SDK (`HTTP.toEvent`) and answers as told: 202 (stored, as a KafkaSink does),
 * 500, 503, or never (hang). It can go down (connections refused) and come back on the same port.
 */
import { HTTP, type CloudEvent, type CloudEventV1 } from 'cloudevents';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConsumedRecord } from './kafka-mock/consumer';

export type ReceiverMode = 202 | 500 | 503 | 'hang';

export interface ReceivedEvent {
  readonly event: CloudEventV1<unknown>;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the receiver answered: a status, or `hang`. */
  readonly answer: ReceiverMode;
}

export interface EventReceiver {
  readonly url: string;
  /** Every request that decoded as a CloudEvent, in arrival order, whatever was answered. */
  readonly received: ReceivedEvent[];
  /** The events answered 2xx: what the sink stored. */
  stored(): ReceivedEvent[];
  /** The stored events as Kafka records (ce_ headers), for the fault ledger. */
  records(): ConsumedRecord[];
  /** Distinct source+id pairs stored: what a deduplicating consumer sees. */
  distinctIds(): Set<string>;
  answer(mode: ReceiverMode): void;
  /** Answers (202, 500, 503) only this long after the request arrived: events stay in flight. */
  delay(ms: number): void;
  /** Forgets what was received. */
  reset(): void;
  /** Requests received (decoded or not) so far; hung ones included. */
  requestCount(): number;
  /** Stops listening and drops every connection: the next POST is refused. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  stop(): Promise<void>;
}

export async function startEventReceiver(): Promise<EventReceiver> {
  let mode: ReceiverMode = 202;
  let delayMs = 0;
  let requests = 0;
  const received: ReceivedEvent[] = [];
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = mode;
      try {
        const decoded = HTTP.toEvent({ headers: req.headers, body });
        const event = (Array.isArray(decoded) ? decoded[0] : decoded) as CloudEvent<unknown>;
        // The SDK decodes leniently; a sink that checks the spec refuses what does not pass, as here.
        event.validate();
        received.push({ event, headers: req.headers, body, answer });
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (answer === 'hang') {
        hung.add(res);
        return;
      }
      if (delayMs === 0) res.writeHead(answer).end();
      else setTimeout(() => res.writeHead(answer).end(), delayMs);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const close = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    hung.clear();
    await closed;
  };
  await listen(0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const { port } = address;
  const stored = (): ReceivedEvent[] => received.filter((entry) => entry.answer === 202);
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    stored,
    records: () =>
      stored().map(({ event, body }) => ({
        key: typeof event.partitionkey === 'string' ? event.partitionkey : '',
        value: Buffer.from(body),
        headers: { ce_id: event.id, ce_source: event.source, ce_subject: event.subject ?? '' },
      })),
    distinctIds: () => new Set(stored().map(({ event }) => `${event.source} ${event.id}`)),
    answer: (next) => {
      mode = next;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    reset: () => {
      received.length = 0;
      requests = 0;
    },
    requestCount: () => requests,
    down: close,
    up: () => listen(port),
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (stored().length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} stored events, got ${stored().length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return stored();
    },
    stop: close,
  };
}
