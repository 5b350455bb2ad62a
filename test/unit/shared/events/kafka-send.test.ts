import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { createServer, type Server, type Socket } from 'node:net';
import {
  countProduceWrites,
  isRequestTimeout,
  sendOutcome,
  type WrittenSince,
} from '../../../../shared/events/kafka-send';
import { kafkaTimings } from '../../../../shared/events/kafka-timings';

type Wrapper = new (e: Error, options: { cause: Error; retryCount?: number; retryTime?: number }) => Error;

/** An error as kafkajs's retrier rejects with it: wrapped, the original as the cause. */
function asRetrierRejects(error: Error & { retriable?: boolean }): Error {
  const Wrap = (error.retriable === false
    ? KafkaJSNonRetriableError
    : KafkaJSNumberOfRetriesExceeded) as unknown as Wrapper;
  return new Wrap(error, { cause: error, retryCount: 1, retryTime: 100 });
}

/** A broker's error answer, as kafkajs throws it when it parses the response. */
const brokerAnswer = (type: string, code: number, retriable = true): Error =>
  asRetrierRejects(new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable })));

const tooLarge = brokerAnswer('MESSAGE_TOO_LARGE', 10, false);
const protocol = (type: string, code: number): Error => brokerAnswer(type, code);
const timedOut = asRetrierRejects(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'));
const refused = asRetrierRejects(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'));
const closed = asRetrierRejects(new KafkaJSConnectionError('Closed connection'));

describe('sendOutcome: finding 5, a dead letter says whether its event may still land', () => {
  it.each<{ name: string; written: WrittenSince; err: Error; outcome: 'failure' | 'unknown' }>([
    {
      name: 'nothing written, connection refused',
      written: { produces: 0, lastWasProduce: false },
      err: refused,
      outcome: 'failure',
    },
    {
      name: 'nothing written, the metadata request timed out',
      written: { produces: 0, lastWasProduce: false },
      err: timedOut,
      outcome: 'failure',
    },
    {
      name: 'one Produce refused by the broker (message too large)',
      written: { produces: 1, lastWasProduce: true },
      err: tooLarge,
      outcome: 'failure',
    },
    {
      name: 'one Produce refused by the broker (not leader)',
      written: { produces: 1, lastWasProduce: true },
      err: protocol('NOT_LEADER_FOR_PARTITION', 6),
      outcome: 'failure',
    },
    {
      name: 'one Produce answered "request timed out" (appended, not yet replicated)',
      written: { produces: 1, lastWasProduce: true },
      err: protocol('REQUEST_TIMED_OUT', 7),
      outcome: 'unknown',
    },
    {
      name: 'one Produce answered "not enough replicas after append"',
      written: { produces: 1, lastWasProduce: true },
      err: protocol('NOT_ENOUGH_REPLICAS_AFTER_APPEND', 20),
      outcome: 'unknown',
    },
    {
      name: 'one Produce without an answer in time',
      written: { produces: 1, lastWasProduce: true },
      err: timedOut,
      outcome: 'unknown',
    },
    {
      name: 'one Produce, then the connection closed',
      written: { produces: 1, lastWasProduce: true },
      err: closed,
      outcome: 'unknown',
    },
    {
      name: 'one Produce, then a metadata refresh refused',
      written: { produces: 1, lastWasProduce: false },
      err: protocol('NOT_LEADER_FOR_PARTITION', 6),
      outcome: 'unknown',
    },
    {
      name: 'two Produce requests, the last refused',
      written: { produces: 2, lastWasProduce: true },
      err: protocol('NOT_LEADER_FOR_PARTITION', 6),
      outcome: 'unknown',
    },
  ])('when $name, then the outcome is $outcome', ({ written, err, outcome }) => {
    expect(sendOutcome(written, err)).toBe(outcome);
  });
});

describe('isRequestTimeout', () => {
  it.each<{ name: string; err: unknown; timeout: boolean }>([
    { name: 'a request timeout wrapped by the retrier', err: timedOut, timeout: true },
    { name: 'a refused connection', err: refused, timeout: false },
    { name: 'not an error', err: 'x', timeout: false },
  ])('when the error is $name, then it is a timeout: $timeout', ({ err, timeout }) => {
    expect(isRequestTimeout(err)).toBe(timeout);
  });
});

describe('kafkaTimings', () => {
  it.each<{ name: string; sendTimeoutMs: number }>([
    { name: 'the minimum', sendTimeoutMs: 300 },
    { name: 'the test setting', sendTimeoutMs: 1000 },
    { name: 'the default', sendTimeoutMs: 2000 },
    { name: 'a long budget', sendTimeoutMs: 30_000 },
  ])(
    'when the budget is $name ($sendTimeoutMs ms), then every attempt fits in it and the backstop is above it',
    ({ sendTimeoutMs }) => {
      const timings = kafkaTimings(sendTimeoutMs);
      const attempts = timings.retries + 1;
      expect(attempts * timings.requestTimeoutMs + timings.retries * timings.retryBackoffMs).toBeLessThanOrEqual(
        sendTimeoutMs,
      );
      expect(timings.ackTimeoutMs).toBeLessThan(timings.requestTimeoutMs);
      expect(timings.connectionTimeoutMs).toBeLessThanOrEqual(timings.requestTimeoutMs);
      expect(timings.backstopMs).toBeGreaterThan(sendTimeoutMs);
    },
  );
});

describe('countProduceWrites', () => {
  let server: Server;
  let port = 0;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A request header as kafkajs writes it: size, API key, version, correlation id. */
  const request = (apiKey: number): Buffer => {
    const buffer = Buffer.alloc(12);
    buffer.writeInt32BE(8, 0);
    buffer.writeInt16BE(apiKey, 4);
    buffer.writeInt16BE(7, 6);
    buffer.writeInt32BE(1, 8);
    return buffer;
  };

  it('when requests are written through its sockets, then it counts the Produce requests since a mark and knows which came last', async () => {
    const writes = countProduceWrites();
    const socket = await new Promise<Socket>((resolve) => {
      const created: Socket = writes.socketFactory({
        host: '127.0.0.1',
        port,
        ssl: undefined,
        onConnect: () => resolve(created),
      } as never);
    });
    try {
      socket.write(request(3)); // Metadata, before the mark
      const mark = writes.mark();
      expect(writes.since(mark)).toEqual({ produces: 0, lastWasProduce: false });

      socket.write(request(0));
      expect(writes.since(mark)).toEqual({ produces: 1, lastWasProduce: true });

      socket.write(request(3));
      socket.write(request(0));
      socket.write(request(3));
      expect(writes.since(mark)).toEqual({ produces: 2, lastWasProduce: false });
    } finally {
      socket.destroy();
    }
  });
});
