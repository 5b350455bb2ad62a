/**
 * Events to a Knative sink (K_SINK, set by a SinkBinding: a KafkaSink, a Broker): one POST per
 * event, the CloudEvent in binary HTTP mode, on keep-alive connections, at most EVENT_HTTP_CONCURRENCY at
 * once. A KafkaSink answers 202 once the record is stored, keyed by `partitionkey` (the recipient). No Kafka
 * client and no Kafka secret in this mode. What a failed POST means for its event (dead-letters.ts):
 * `failure` when the sink cannot have it (not connected, the request not fully written, a 4xx refusal),
 * `unknown` when it may (written and then no answer in time, the connection lost, a 5xx: a KafkaSink
 * answers 503 when its own produce failed, which may still have landed).
 */
import { HTTP, type CloudEvent } from 'cloudevents';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { createBreaker, type Breaker, type BreakerObserver } from '../resilience';
import { b3HeaderOf } from './cloud-event';
import { withDeadLetters } from './dead-letters';
import { EventSendError } from './errors';
import type { EventOutcomeCounter, EventPublisher } from './port';
import type { eventPublishingSpecs } from './settings';

export type HttpPublisherConfig = Pick<
  Config<typeof eventPublishingSpecs>,
  'EVENT_HTTP_TIMEOUT_MS' | 'EVENT_HTTP_CONCURRENCY' | 'EVENT_HTTP_BREAKER_RESET_SECONDS'
>;

/** One event as the sink receives it. */
export interface SinkMessage {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The sink answered, but not 2xx. */
export class SinkAnswerError extends Error {
  constructor(readonly status: number) {
    super(`the event sink answered ${status}`);
    this.name = 'SinkAnswerError';
  }
}

/** No answer within EVENT_HTTP_TIMEOUT_MS. */
export class SinkTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer from the event sink within ${timeoutMs} ms`);
    this.name = 'SinkTimeoutError';
  }
}

/**
 * The binary-mode message (ce-* headers, the data as the body), plus the trace headers a tracing sidecar or
 * consumer reads: the event's own `traceparent`/`tracestate`, and B3 with the caller's sampling decision.
 */
export function toSinkMessage(event: CloudEvent<unknown>, traceId: string): SinkMessage {
  const message = HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  if (typeof event.traceparent === 'string' && event.traceparent !== '') headers.traceparent = event.traceparent;
  if (typeof event.tracestate === 'string') headers.tracestate = event.tracestate;
  headers['x-b3-traceid'] = traceId;
  headers.b3 = b3HeaderOf(event, traceId);
  return { headers, body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body) };
}

/** A POST to the sink on a keep-alive agent; resolves on 2xx, else rejects with an EventSendError. */
export type SinkPost = (message: SinkMessage) => Promise<void>;

/** Idle connections are closed a little before common servers' 5 s keep-alive, so a reuse rarely races a close. */
const FREE_SOCKET_TIMEOUT_MS = 4000;

export function createSinkPost(
  sink: string,
  timeoutMs: number,
  concurrency: number,
): { readonly post: SinkPost; close(): void } {
  const url = new URL(sink);
  const https = url.protocol === 'https:';
  const options = { keepAlive: true, maxSockets: concurrency, timeout: FREE_SOCKET_TIMEOUT_MS };
  const agent = https ? new HttpsAgent(options) : new HttpAgent(options);
  const send = https ? httpsRequest : httpRequest;

  /** `mayHaveLanded`: an earlier attempt of this event was written whole, so the sink may hold it already. */
  const attempt = (message: SinkMessage, deadline: number, retried: boolean, mayHaveLanded: boolean): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let written = false;
      let settled = false;
      const fail = (err: unknown, outcome: 'failure' | 'unknown'): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // Whatever this attempt's answer, the event may be at the sink from the one before: unknown.
        reject(new EventSendError(mayHaveLanded ? 'unknown' : outcome, err));
      };
      const req: ClientRequest = send(url, {
        method: 'POST',
        agent,
        headers: { ...message.headers, 'content-length': String(Buffer.byteLength(message.body)) },
      });
      // The deadline counts from the publish, the wait for a free connection included.
      const timer = setTimeout(
        () => {
          const err = new SinkTimeoutError(timeoutMs);
          fail(err, written ? 'unknown' : 'failure');
          req.destroy(err);
        },
        Math.max(0, deadline - Date.now()),
      );
      req.on('finish', () => {
        written = true;
      });
      req.on('response', (res: IncomingMessage) => {
        res.resume(); // the body says nothing we need; reading it frees the connection
        res.on('end', () => {
          if (settled) return;
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            settled = true;
            clearTimeout(timer);
            resolve();
          } else fail(new SinkAnswerError(status), status >= 500 ? 'unknown' : 'failure');
        });
        res.on('error', (err) => fail(err, 'unknown'));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        // An idle keep-alive connection the server closed as we reused it: most often the sink never read the
        // request. But a sink may store the event and then reset the connection: once the request was written
        // whole, the retry's failure can no longer say `failure`.
        if (req.reusedSocket && err.code === 'ECONNRESET' && !retried && Date.now() < deadline) {
          settled = true;
          clearTimeout(timer);
          attempt(message, deadline, true, written).then(resolve, reject);
          return;
        }
        fail(err, written ? 'unknown' : 'failure');
      });
      req.end(message.body);
    });

  return {
    post: (message) => attempt(message, Date.now() + timeoutMs, false, false),
    close: () => agent.destroy(),
  };
}

export function isSinkTimeout(err: unknown): boolean {
  return err instanceof EventSendError && err.cause instanceof SinkTimeoutError;
}

export function createHttpPublisher(
  config: HttpPublisherConfig,
  sink: string,
  logger: Logger,
  count: EventOutcomeCounter,
  breakers: BreakerObserver,
): EventPublisher {
  const sinkPost = createSinkPost(sink, config.EVENT_HTTP_TIMEOUT_MS, config.EVENT_HTTP_CONCURRENCY);
  const breaker: Breaker<[SinkMessage], void> = createBreaker(
    'event-sink',
    (message: SinkMessage) => sinkPost.post(message),
    {
      // Each POST is aborted at its own deadline: the breaker never abandons one that goes on.
      timeoutMs: false,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: config.EVENT_HTTP_BREAKER_RESET_SECONDS * 1000,
      capacity: 100,
      windowMs: Math.max(10_000, 4 * config.EVENT_HTTP_TIMEOUT_MS),
      isTimeout: isSinkTimeout,
    },
    logger,
    breakers,
  );
  return withDeadLetters(
    logger,
    count,
    (event, traceId) => breaker.fire(toSinkMessage(event, traceId)),
    () => {
      breaker.shutdown();
      sinkPost.close();
      return Promise.resolve();
    },
  );
}
