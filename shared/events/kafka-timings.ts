/**
 * How long one Kafka send may take: the client's timeouts, sized so that every attempt fits in
 * KAFKA_SEND_TIMEOUT_MS, and the breaker's backstop. The time budget (a function's budget.ts) reads the
 * backstop from here, so the two cannot disagree.
 */

export interface KafkaTimings {
  readonly connectionTimeoutMs: number;
  /** How long the client waits for one broker answer before it gives up on the request. */
  readonly requestTimeoutMs: number;
  /** How long the broker may wait for the in-sync replicas; shorter, so its answer arrives in time. */
  readonly ackTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  /** The breaker's timeout: only a backstop for what the client's own timeouts do not bound. */
  readonly backstopMs: number;
}

const ATTEMPTS = 2;
const RETRY_BACKOFF_MS = 100;

export function kafkaTimings(sendTimeoutMs: number): KafkaTimings {
  const requestTimeoutMs = Math.max(100, Math.floor((sendTimeoutMs - RETRY_BACKOFF_MS) / ATTEMPTS));
  return {
    connectionTimeoutMs: Math.min(1000, requestTimeoutMs),
    requestTimeoutMs,
    ackTimeoutMs: Math.floor(requestTimeoutMs * 0.8),
    retries: ATTEMPTS - 1,
    retryBackoffMs: RETRY_BACKOFF_MS,
    // An attempt that must refresh metadata first takes two requests: the client may overrun the budget.
    backstopMs: sendTimeoutMs + requestTimeoutMs,
  };
}
