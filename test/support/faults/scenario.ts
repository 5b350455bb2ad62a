/**
 * One fault scenario against the production bundle (dist/send-mail/main.js as a child process): a fresh
 * topic read while the load runs, the ledger over every SMTP peer, the topic and the child's stdout, and
 * cleanup that always kills the child. Timeouts are small and nest inside REQUEST_TIMEOUT_SECONDS: the
 * auth share (AUTH_JWKS_TIMEOUT_MS) + SMTP_SEND_TIMEOUT_SECONDS + KAFKA_SEND_TIMEOUT_MS = 4.5 s ≤ 5 s.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { EventReceiver } from '../event-receiver';
import { collectRecords, type ConsumedRecord, type RecordCollector } from '../kafka-mock/consumer';
import { startKafkaMock, type KafkaMock } from '../kafka-mock/kafka-mock';
import { freePort, startChild, type ChildFunction } from '../processes';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../smtp-server';
import { devToken } from '../tokens';
import { Ledger, type LedgerRequest, type SettleOptions } from './ledger';
import { sendTracked, type SendOptions } from './traffic';

export const BUNDLE = join(__dirname, '..', '..', '..', 'dist', 'send-mail', 'main.js');
const SECRET = 'fault-suite-secret-0123456789abcdefghij';

/** The timeouts every scenario starts from; a scenario overrides what it crosses. */
export const FAULT_TIMEOUTS: Readonly<Record<string, string>> = {
  REQUEST_TIMEOUT_SECONDS: '5',
  SMTP_SEND_TIMEOUT_SECONDS: '3',
  SMTP_CONNECTION_TIMEOUT_SECONDS: '2',
  SMTP_GREETING_TIMEOUT_SECONDS: '2',
  SMTP_SOCKET_TIMEOUT_SECONDS: '2',
  KAFKA_SEND_TIMEOUT_MS: '1000',
  AUTH_JWKS_TIMEOUT_MS: '500',
  SHUTDOWN_TIMEOUT_SECONDS: '10',
  SMTP_BREAKER_RESET_SECONDS: '30',
  KAFKA_BREAKER_RESET_SECONDS: '1',
};

export interface ScenarioPeers {
  readonly smtpUrl: string;
  /** Every mail the SMTP peers received; read again at each check. */
  readonly mails: () => readonly ReceivedMail[];
  readonly kafka: KafkaMock;
  /** With a sink, events go over HTTP to it (EVENT_TRANSPORT=http, K_SINK) instead of to a topic. */
  readonly sink?: EventReceiver;
}

export interface Scenario {
  readonly fn: ChildFunction;
  readonly ledger: Ledger;
  /** The topic read while the load runs; undefined when events go to the sink. */
  readonly topic: RecordCollector | undefined;
  /** One tracked send-mail request to the child. */
  readonly send: (to: string, options?: SendOptions) => Promise<LedgerRequest>;
}

export function bundleEnv(
  peers: ScenarioPeers,
  topic: string,
  port: number,
  env: Record<string, string>,
): Record<string, string> {
  const events: Record<string, string> =
    peers.sink === undefined
      ? { KAFKA_BROKERS: peers.kafka.bootstrap, KAFKA_TOPIC: topic }
      : {
          EVENT_TRANSPORT: 'http',
          K_SINK: peers.sink.url,
          EVENT_HTTP_TIMEOUT_MS: FAULT_TIMEOUTS.KAFKA_SEND_TIMEOUT_MS ?? '1000',
          EVENT_HTTP_BREAKER_RESET_SECONDS: FAULT_TIMEOUTS.KAFKA_BREAKER_RESET_SECONDS ?? '1',
        };
  return {
    PORT: String(port),
    ENVIRONMENT: 'dev',
    SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
    LOG_FORMAT: 'ecs',
    SMTP_URL: peers.smtpUrl,
    SMTP_POOL_SIZE: '5',
    MAIL_FROM: 'mailer@example.com',
    AUTH_HS256_SECRET: SECRET,
    FEATURE_EMAIL_SENT_EVENT: 'true',
    ...events,
    ...FAULT_TIMEOUTS,
    ...env,
  };
}

export async function authorization(roles?: string[]): Promise<string> {
  return `Bearer ${await devToken({ secret: SECRET, ...(roles ? { roles } : {}) })}`;
}

/**
 * Runs `body` against a fresh bundle, then waits for the late effects the check hunts (a mail delivered
 * after its error answer, an event landing after its dead letter) and returns the ledger to check.
 */
export async function runScenario(
  peers: ScenarioPeers,
  env: Record<string, string>,
  body: (scenario: Scenario) => Promise<void>,
  settle: SettleOptions = {},
  wrap?: (command: string[]) => string[],
): Promise<Ledger> {
  const topicName = `faults-${randomBytes(4).toString('hex')}`;
  const { sink } = peers;
  let topic: RecordCollector | undefined;
  if (sink === undefined) {
    await peers.kafka.createTopic(topicName, 1);
    topic = await collectRecords(peers.kafka.brokers, topicName);
  }
  const records = (): readonly ConsumedRecord[] => sink?.records() ?? topic?.records ?? [];
  const port = await freePort();
  let fn: ChildFunction | undefined;
  try {
    fn = await startChild([BUNDLE], bundleEnv(peers, topicName, port, env), port, wrap);
    const child = fn;
    const ledger = new Ledger({ mails: peers.mails, records, stdout: () => child.stdout() });
    const auth = await authorization();
    await body({ fn: child, ledger, topic, send: (to, options) => sendTracked(ledger, child.url, auth, to, options) });
    await ledger.settle(settle);
    return ledger;
  } finally {
    fn?.child.kill('SIGKILL');
    await topic?.stop();
  }
}

/** A Kafka broker frozen in place: connections stay open and nothing answers (SIGSTOP), until thawed. */
export function freeze(kafka: KafkaMock): void {
  process.kill(kafka.pid, 'SIGSTOP');
}

export function thaw(kafka: KafkaMock): void {
  process.kill(kafka.pid, 'SIGCONT');
}

export interface HealthyPeers {
  readonly smtp: TestSmtpServer;
  readonly kafka: KafkaMock;
  /** The peers as a scenario takes them. */
  scenarioPeers(): ScenarioPeers;
}

/** A real SMTP server and Kafka mock for one test file: started before its tests, thawed and stopped after. */
export function useHealthyPeers(): HealthyPeers {
  let smtp: TestSmtpServer | undefined;
  let kafka: KafkaMock | undefined;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    kafka = await startKafkaMock();
  });
  afterAll(async () => {
    if (kafka) thaw(kafka);
    await kafka?.stop();
    await smtp?.stop();
  });
  const started = <T>(peer: T | undefined): T => {
    if (peer === undefined) throw new TypeError('peers are used before beforeAll started them');
    return peer;
  };
  return {
    get smtp() {
      return started(smtp);
    },
    get kafka() {
      return started(kafka);
    },
    scenarioPeers() {
      const server = started(smtp);
      return { smtpUrl: server.url, mails: () => server.mails, kafka: started(kafka) };
    },
  };
}
