/** The SASL gate in front of the Kafka mock: kafkajs gets through with exactly the configured PLAIN credentials. */
import { Kafka, KafkaJSConnectionError, KafkaJSSASLAuthenticationError, logLevel, type SASLOptions } from 'kafkajs';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { startSaslGate, type SaslGate, type SaslGateAttempts } from '../support/kafka-mock/sasl-gate';

const USERNAME = 'mailer';
const PASSWORD = 'right-password';

let mock: KafkaMock;

beforeAll(async () => {
  mock = await startKafkaMock();
});

afterAll(() => mock.stop());

type Cluster = Awaited<ReturnType<ReturnType<Kafka['admin']>['describeCluster']>>;

async function describeClusterThrough(gate: SaslGate, sasl?: SASLOptions): Promise<Cluster> {
  const kafka = new Kafka({
    clientId: 'sasl-gate-check',
    brokers: [gate.address],
    ...(sasl ? { sasl } : {}),
    retry: { retries: 0 },
    connectionTimeout: 1000,
    requestTimeout: 2000,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}

/** What the gate counted while `action` ran. */
async function countedDuring(gate: SaslGate, action: () => Promise<unknown>): Promise<SaslGateAttempts> {
  const before = { ...gate.attempts };
  await action();
  return {
    succeeded: gate.attempts.succeeded - before.succeeded,
    failed: gate.attempts.failed - before.failed,
    unauthenticated: gate.attempts.unauthenticated - before.unauthenticated,
  };
}

const gateKinds = [
  { name: 'SaslAuthenticate requests (KIP-152)', legacy: false },
  { name: 'raw SASL tokens after the handshake (legacy)', legacy: true },
];

describe.each(gateKinds)('a SASL gate taking $name', ({ legacy }) => {
  let gate: SaslGate;

  beforeAll(async () => {
    gate = await startSaslGate({ upstream: mock.brokers[0]!, username: USERNAME, password: PASSWORD, legacy });
  });

  afterAll(() => gate.close());

  it('when kafkajs signs in with the configured PLAIN credentials, then describeCluster answers through the gate', async () => {
    let cluster: Cluster | undefined;
    const counted = await countedDuring(gate, async () => {
      cluster = await describeClusterThrough(gate, { mechanism: 'plain', username: USERNAME, password: PASSWORD });
    });

    expect(cluster?.clusterId).toEqual(expect.any(String));
    expect(cluster?.brokers.map(({ host, port }) => `${host}:${port}`)).toEqual([gate.address]);
    expect(counted.succeeded).toBeGreaterThanOrEqual(1);
    expect(counted).toMatchObject({ failed: 0, unauthenticated: 0 });
  });

  it('when the password is wrong, then kafkajs fails with a SASL authentication error', async () => {
    let failure: unknown;
    const counted = await countedDuring(gate, () =>
      describeClusterThrough(gate, { mechanism: 'plain', username: USERNAME, password: 'wrong-password' }).catch(
        (err: unknown) => (failure = err),
      ),
    );

    expect(failure).toBeInstanceOf(KafkaJSSASLAuthenticationError);
    expect(counted.failed).toBeGreaterThanOrEqual(1);
    expect(counted).toMatchObject({ succeeded: 0, unauthenticated: 0 });
  });

  it('when kafkajs is configured without SASL, then the gate closes the connection at its first request', async () => {
    let failure: unknown;
    const counted = await countedDuring(gate, () =>
      describeClusterThrough(gate).catch((err: unknown) => (failure = err)),
    );

    expect(failure).toBeInstanceOf(KafkaJSConnectionError);
    expect(counted.unauthenticated).toBeGreaterThanOrEqual(1);
    expect(counted).toMatchObject({ succeeded: 0, failed: 0 });
  });
});
