/**
 * One short, bounded check per dependency, run in parallel: an SMTP handshake, a Kafka cluster
 * description, a GET of the identity provider's keys. It never calls the other functions (that would wake
 * them from zero).
 */
import { Kafka, logLevel } from 'kafkajs';
import nodemailer from 'nodemailer';
import { discoveryUrl } from '../../shared/auth';
import { eventTransport, kafkaConnection, type KafkaConnectionConfig } from '../../shared/events';
import { withDeadline } from '../../shared/resilience';
import { outgoingTraceHeaders } from '../../shared/tracing';
import type { ComponentHealth, ComponentName } from './report';
import type { HealthConfig } from './settings';

export type Check = () => Promise<ComponentHealth>;

type CheckConfig = KafkaConnectionConfig &
  Pick<
    HealthConfig,
    | 'SMTP_URL'
    | 'FEATURE_EMAIL_SENT_EVENT'
    | 'EVENT_TRANSPORT'
    | 'K_SINK'
    | 'KAFKA_BROKERS'
    | 'AUTH_ISSUER'
    | 'AUTH_JWKS_URL'
    | 'HEALTH_TIMEOUT_MS'
    | 'FEATURE_IDEMPOTENCY'
    | 'IDEMPOTENCY_REDIS_URL'
    | 'RATE_LIMIT_WHEN_STORE_DOWN'
    | 'RATE_LIMIT_REDIS_URL'
    | 'SUPPRESSION_CHECK'
    | 'DATABASE_URL'
  >;

/** idempotencyStore only when send-mail keeps its keys in Redis (the in-memory store of `make dev` is its own). */
export function dependencyChecks(config: CheckConfig): Partial<Record<ComponentName, Check>> {
  const timeoutMs = config.HEALTH_TIMEOUT_MS;
  const redisUrl = config.FEATURE_IDEMPOTENCY ? config.IDEMPOTENCY_REDIS_URL : undefined;
  // Only a closed rate limit makes send-mail depend on its Redis (local limits per instance without it).
  const rateLimitUrl = config.RATE_LIMIT_WHEN_STORE_DOWN === 'closed' ? config.RATE_LIMIT_REDIS_URL : undefined;
  // Only a required check makes send-mail depend on its database (best-effort sends without it).
  const databaseUrl = config.SUPPRESSION_CHECK === 'required' ? config.DATABASE_URL : undefined;
  return {
    ...(databaseUrl === undefined
      ? {}
      : {
          suppressionList: () =>
            timed('database.unreachable', timeoutMs, () => readSuppressions(databaseUrl, timeoutMs)),
        }),
    ...(redisUrl === undefined
      ? {}
      : { idempotencyStore: () => timed('redis.unreachable', timeoutMs, () => redisPing(redisUrl, timeoutMs)) }),
    ...(rateLimitUrl === undefined
      ? {}
      : { rateLimitStore: () => timed('redis.unreachable', timeoutMs, () => redisPing(rateLimitUrl, timeoutMs)) }),
    smtp: () => {
      if (config.SMTP_URL === undefined) return Promise.resolve(disabled('mail.outbox')); // local: mails go to OUTBOX_DIR
      return timed('smtp.unreachable', timeoutMs, () => smtpHandshake(config.SMTP_URL ?? '', timeoutMs));
    },
    kafka: () => {
      if (!config.FEATURE_EMAIL_SENT_EVENT) return Promise.resolve({ status: 'DISABLED' });
      // The transport as send-mail picks it (shared/events). http: send-mail POSTs to its sink, whose
      // readiness is Knative's (its Ready condition); file: local, events go to EVENT_OUTBOX_FILE.
      const transport = eventTransport(config);
      if (transport === 'http') return Promise.resolve(disabled('events.sink'));
      if (transport === 'file' || config.KAFKA_BROKERS === undefined) return Promise.resolve(disabled('events.file'));
      const brokers = config.KAFKA_BROKERS;
      return timed('kafka.unreachable', timeoutMs, () => describeCluster(config, brokers, timeoutMs));
    },
    identityProvider: () => {
      const url = config.AUTH_JWKS_URL ?? (config.AUTH_ISSUER ? discoveryUrl(config.AUTH_ISSUER) : undefined);
      if (url === undefined) return Promise.resolve({ status: 'DISABLED' }); // HS256 only: no provider to ask
      return timed('idp.unreachable', timeoutMs, () => getOk(url, timeoutMs));
    },
  };
}

/** No such peer to check: the function writes to a local file instead (ENVIRONMENT=local only). */
function disabled(reason: 'mail.outbox' | 'events.file' | 'events.sink'): ComponentHealth {
  return { status: 'DISABLED', details: { reason } };
}

function up(latencyMs: number): ComponentHealth {
  return { status: 'UP', details: { latencyMs } };
}

async function timed(code: string, timeoutMs: number, probe: () => Promise<void>): Promise<ComponentHealth> {
  const started = performance.now();
  try {
    await withDeadline(probe(), timeoutMs, 'timeout');
    return up(Math.round(performance.now() - started));
  } catch {
    return { status: 'DOWN', details: { latencyMs: Math.round(performance.now() - started), error: code } };
  }
}

async function smtpHandshake(url: string, timeoutMs: number): Promise<void> {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}

async function redisPing(url: string, timeoutMs: number): Promise<void> {
  // Loaded on the first check: a health without Redis never loads ioredis.
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // the check's answer says it
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}

/** What send-mail's check does, once: read the suppression list (a connection of its own, bounded). */
async function readSuppressions(url: string, timeoutMs: number): Promise<void> {
  // Loaded on the first check: a health without the check never loads pg.
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined); // the check's answer says it
  try {
    await client.connect();
    await client.query('SELECT 1 FROM suppression LIMIT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function describeCluster(config: CheckConfig, brokers: string, timeoutMs: number): Promise<void> {
  // Connected exactly as the publisher connects (brokers, TLS, SASL), as a client of its own.
  const admin = new Kafka({
    ...kafkaConnection(config, brokers, '-health'),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function getOk(url: string, timeoutMs: number): Promise<void> {
  const response = await fetch(url, {
    headers: outgoingTraceHeaders(),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`status ${response.status}`);
}
