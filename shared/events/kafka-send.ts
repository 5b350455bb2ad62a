/**
 * What a failed Kafka send means (errors.ts): `failure` when no record of the batch can be on the topic,
 * `unknown` when it may be. We know it for sure only from the wire: the socket factory below counts the
 * Produce requests written to a broker.
 */
import type { ISocketFactory } from 'kafkajs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SendFailureOutcome } from './errors';

/** Requests written since a mark: how many were Produce requests, and whether a Produce was the last one. */
export interface WrittenSince {
  readonly produces: number;
  readonly lastWasProduce: boolean;
}

export interface ProduceWrites {
  readonly socketFactory: ISocketFactory;
  mark(): WriteMark;
  since(mark: WriteMark): WrittenSince;
}

export interface WriteMark {
  readonly produces: number;
  readonly requests: number;
}

const PRODUCE_API_KEY = 0;

/**
 * kafkajs's own socket factory, plus a count of the requests it writes: kafkajs writes each request in one
 * buffer, whose header starts with its size (4 bytes) and API key (2 bytes).
 */
export function countProduceWrites(): ProduceWrites {
  let produces = 0;
  let requests = 0;
  let lastApiKey = -1;
  const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    const socket: Socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = (chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk) && chunk.length >= 6) {
        requests += 1;
        lastApiKey = chunk.readInt16BE(4);
        if (lastApiKey === PRODUCE_API_KEY) produces += 1;
      }
      return write(chunk, ...rest);
    };
    return socket;
  };
  return {
    socketFactory,
    mark: () => ({ produces, requests }),
    since: (mark) => ({
      produces: produces - mark.produces,
      lastWasProduce: requests > mark.requests && lastApiKey === PRODUCE_API_KEY,
    }),
  };
}

/** Broker error codes that come after the records were appended to the leader's log: they may stay. */
const APPENDED_ERROR_CODES: ReadonlySet<number> = new Set([
  7 /* REQUEST_TIMED_OUT */, 20 /* NOT_ENOUGH_REPLICAS_AFTER_APPEND */,
]);

/**
 * `failure` when no Produce request was written during the send, or exactly one was, nothing was written
 * after it, and the broker answered it with an error that means the records were not appended; otherwise
 * (a request timed out, a connection was lost with a request on it, several requests) `unknown`.
 */
export function sendOutcome(written: WrittenSince, err: unknown): SendFailureOutcome {
  if (written.produces === 0) return 'failure';
  const code = brokerErrorCode(err);
  if (written.produces === 1 && written.lastWasProduce && code !== undefined && !APPENDED_ERROR_CODES.has(code))
    return 'failure';
  return 'unknown';
}

/** The broker's error code, if the send ended on an error answer (kafkajs wraps it once per retry layer). */
function brokerErrorCode(err: unknown): number | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const { name, code } = current as Error & { code?: unknown };
    if (name === 'KafkaJSProtocolError' && typeof code === 'number') return code;
    if (current.cause === current) break;
    current = current.cause;
  }
  return undefined;
}

/** A request that got no answer in time: reported to the breaker as a timeout. */
export function isRequestTimeout(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current.name === 'KafkaJSRequestTimeoutError') return true;
    if (current.cause === current) break;
    current = current.cause;
  }
  return false;
}
