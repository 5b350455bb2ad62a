/**
 * The health function against real peers: an SMTP server, the mock Kafka broker (behind a SASL gate where
 * the brokers require SASL) and an identity provider over HTTP, each taken down in turn. Every answer is
 * also checked against the spec (http-client).
 */
import { SignJWT } from 'jose';
import { createHealthApp } from '../../functions/health/app';
import { healthSettings } from '../../functions/health/settings';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { loadConfig } from '../../shared/config';
import { launch } from '../../shared/launcher';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { postJson, request, type Answer } from '../support/http-client';
import { signingKey, startJwksServer, type JwksServer, type SigningKey } from '../support/jwks-server';
import { collectRecords } from '../support/kafka-mock/consumer';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { startSaslGate, type SaslGate } from '../support/kafka-mock/sasl-gate';
import { createLogSink } from '../support/log-sink';
import { eventually } from '../support/eventually';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { startMigratedPostgres } from '../support/postgres';
import { bearer, ROLES_CLAIM } from '../support/tokens';

let smtp: TestSmtpServer;
let kafka: KafkaMock;
let idp: JwksServer;
let key: SigningKey;

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  ENVIRONMENT: 'dev',
  SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
  SMTP_URL: smtp.url,
  MAIL_FROM: 'mailer@example.com',
  FEATURE_EMAIL_SENT_EVENT: 'true',
  KAFKA_BROKERS: kafka.bootstrap,
  AUTH_ISSUER: idp.issuer,
  HEALTH_TIMEOUT_MS: '1000',
  ...extra,
});

async function token(roles: string[]): Promise<string> {
  return new SignJWT({ [ROLES_CLAIM]: roles })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(idp.issuer)
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

async function healthOf(extra: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const fn = await startFunction(createHealthApp, env(extra));
  try {
    return await request(`${fn.url}/health`, { headers });
  } finally {
    await fn.stop();
  }
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  kafka = await startKafkaMock();
  key = await signingKey('RS256', 'ops-key');
  idp = await startJwksServer([key.publicJwk]);
});

afterAll(async () => {
  await idp.stop();
  await kafka.stop();
  await smtp.stop();
});

describe('when every dependency is up', () => {
  it('then it is 200 UP with statuses only for an anonymous caller', async () => {
    const answer = await healthOf({});

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'UP',
      components: { smtp: { status: 'UP' }, kafka: { status: 'UP' }, identityProvider: { status: 'UP' } },
    });
  });

  it('then a caller with the ops role also sees the latency of each check', async () => {
    const answer = await healthOf({}, { Authorization: `Bearer ${await token(['ops'])}` });

    expect(answer.body).toEqual({
      status: 'UP',
      components: {
        smtp: { status: 'UP', details: { latencyMs: expect.any(Number) } },
        kafka: { status: 'UP', details: { latencyMs: expect.any(Number) } },
        identityProvider: { status: 'UP', details: { latencyMs: expect.any(Number) } },
      },
    });
  });

  it('then a caller without the ops role sees statuses only', async () => {
    const answer = await healthOf({}, { Authorization: `Bearer ${await token(['admin'])}` });

    expect(answer.body).toEqual({
      status: 'UP',
      components: { smtp: { status: 'UP' }, kafka: { status: 'UP' }, identityProvider: { status: 'UP' } },
    });
  });
});

describe('when a dependency is down, then it is 503 DOWN naming it, with its error code for ops', () => {
  it('SMTP', async () => {
    const closed = await startSmtpServer();
    await closed.stop();

    const answer = await healthOf({ SMTP_URL: closed.url }, { Authorization: `Bearer ${await token(['ops'])}` });

    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      status: 'DOWN',
      components: { smtp: { status: 'DOWN', details: { error: 'smtp.unreachable' } }, kafka: { status: 'UP' } },
    });
  });

  it('Kafka', async () => {
    await kafka.brokerDown(1);
    try {
      const answer = await healthOf({}, { Authorization: `Bearer ${await token(['ops'])}` });

      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        status: 'DOWN',
        components: { kafka: { status: 'DOWN', details: { error: 'kafka.unreachable' } }, smtp: { status: 'UP' } },
      });
    } finally {
      await kafka.brokerUp(1);
    }
  });

  it('the identity provider', async () => {
    const down = await startJwksServer([key.publicJwk]);
    down.up = false;
    try {
      const answer = await healthOf({ AUTH_ISSUER: down.issuer });

      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        status: 'DOWN',
        components: { identityProvider: { status: 'DOWN' }, smtp: { status: 'UP' } },
      });
    } finally {
      await down.stop();
    }
  });
});

it('when the event toggle is off, then Kafka is DISABLED and not counted DOWN', async () => {
  const answer = await healthOf({ FEATURE_EMAIL_SENT_EVENT: 'false', KAFKA_BROKERS: '127.0.0.1:9' });

  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ status: 'UP', components: { kafka: { status: 'DISABLED' } } });
});

it('when send-mail sends its events over http (issue 18), then the kafka check is DISABLED with reason events.sink, and no broker is asked', async () => {
  const answer = await healthOf(
    // K_SINK: the shared test config also loads send-mail's settings, which require it in http mode.
    { EVENT_TRANSPORT: 'http', K_SINK: 'http://127.0.0.1:9/', KAFKA_BROKERS: '127.0.0.1:9' },
    { Authorization: `Bearer ${await token(['ops'])}` },
  );

  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({
    status: 'UP',
    components: { kafka: { status: 'DISABLED', details: { reason: 'events.sink' } } },
  });
});

it('when probes storm it, then the report is reused and SMTP sees one check per cache period', async () => {
  const fn: FunctionUnderTest = await startFunction(createHealthApp, env({ HEALTH_CACHE_SECONDS: '30' }));
  try {
    const before = smtp.connections();
    const answers = await Promise.all(Array.from({ length: 20 }, () => request(`${fn.url}/health`)));

    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(smtp.connections() - before).toBe(1);
  } finally {
    await fn.stop();
  }
});

it("when it asks the identity provider, then it sends trace headers and never the caller's token", async () => {
  idp.requests.length = 0;
  const callerToken = await token(['ops']);

  await healthOf({}, { Authorization: `Bearer ${callerToken}`, 'X-B3-TraceId': 'a3ce929d0e0e4736' });

  const discovery = idp.requests.filter((entry) => entry.path === '/.well-known/openid-configuration');
  expect(discovery.length).toBeGreaterThanOrEqual(1);
  for (const entry of idp.requests) {
    expect(entry.headers.authorization).toBeUndefined();
    expect(JSON.stringify(entry.headers)).not.toContain(callerToken.split('.')[2]);
  }
  const traced = discovery.find((entry) => entry.headers['x-b3-traceid'] === 'a3ce929d0e0e4736');
  expect(traced?.headers.traceparent).toMatch(/^00-0{16}a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  expect(traced?.headers.b3).toMatch(/^a3ce929d0e0e4736-[0-9a-f]{16}-1-[0-9a-f]{16}$/);
});

describe('issue 25: health applies the one transport rule, with the settings it needs to apply it', () => {
  /** health alone, with its own schema only (as its Service loads it), not the tests' union of every function's. */
  async function healthAlone(
    environment: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const config = { ...loadConfig(healthSettings, { LOG_FORMAT: 'ecs', ...environment }), PORT: 0 };
    const running = await launch(createHealthApp(config, createLogSink().stream), config, '127.0.0.1');
    try {
      return await request(`${running.url}/health`, { headers });
    } finally {
      await running.shutdown();
    }
  }

  it('when it runs under a SinkBinding in staging (K_SINK set, no EVENT_TRANSPORT, no brokers), then nothing is demanded and its kafka check is DISABLED (events.sink)', async () => {
    const answer = await healthAlone(
      {
        ENVIRONMENT: 'staging',
        SUPPRESSION_CHECK: 'off',
        SMTP_URL: smtp.url,
        AUTH_ISSUER: idp.issuer,
        FEATURE_EMAIL_SENT_EVENT: 'true',
        K_SINK: 'http://kafka-sink-ingress.knative-eventing.svc.cluster.local/mailer-staging/mailer-email-sent',
      },
      { Authorization: `Bearer ${await token(['ops'])}` },
    );

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'UP',
      components: { kafka: { status: 'DISABLED', details: { reason: 'events.sink' } } },
    });
  });
});

describe('issue 25: when the brokers require SASL, health connects exactly as the publisher does', () => {
  const USERNAME = 'mailer';
  const PASSWORD = 'the-right-password';
  let gate: SaslGate;

  beforeAll(async () => {
    gate = await startSaslGate({ upstream: kafka.brokers[0] ?? '', username: USERNAME, password: PASSWORD });
  });

  afterAll(() => gate.close());

  const sasl = (password: string): Record<string, string> => ({
    KAFKA_BROKERS: gate.address,
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: USERNAME,
    KAFKA_SASL_PASSWORD: password,
  });

  it.each([
    { name: 'the right credentials', extra: () => sasl(PASSWORD), status: 200, kafka: { status: 'UP' } },
    {
      name: 'a wrong password',
      extra: () => sasl('a-wrong-password'),
      status: 503,
      kafka: { status: 'DOWN', details: { error: 'kafka.unreachable' } },
    },
    {
      name: 'no SASL at all',
      extra: () => ({ KAFKA_BROKERS: gate.address }),
      status: 503,
      kafka: { status: 'DOWN', details: { error: 'kafka.unreachable' } },
    },
  ])(
    'when it is configured with $name, then its kafka check says $kafka.status',
    async ({ extra, status, kafka: check }) => {
      const before = { ...gate.attempts };
      const answer = await healthOf(extra(), { Authorization: `Bearer ${await token(['ops'])}` });

      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ components: { kafka: check } });
      if (status === 200) expect(gate.attempts.succeeded).toBeGreaterThan(before.succeeded);
      else
        expect(gate.attempts.failed + gate.attempts.unauthenticated).toBeGreaterThan(
          before.failed + before.unauthenticated,
        );
    },
  );

  it('when send-mail publishes with the same settings, then its event reaches the topic through the same sign-in', async () => {
    await kafka.createTopic('mail-sasl', 1);
    const topic = await collectRecords(kafka.brokers, 'mail-sasl');
    const secret = 'health-sasl-test-secret-0123456789abcd';
    const fn = await startFunction(createSendMailApp, {
      ...env(sasl(PASSWORD)),
      AUTH_HS256_SECRET: secret,
      KAFKA_TOPIC: 'mail-sasl',
      KAFKA_SEND_TIMEOUT_MS: '2000',
    });
    try {
      const before = gate.attempts.succeeded;
      const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, await bearer({ secret }));

      expect(answer.status).toBe(200);
      const messageId = (answer.body as { messageId: string }).messageId;
      await eventually(() => topic.records.some((record) => record.headers.ce_subject === messageId), Boolean, {
        what: "the mail's event on the topic",
        timeoutMs: 10_000,
      });
      expect(gate.attempts.succeeded).toBeGreaterThan(before);
    } finally {
      await fn.stop();
      await topic.stop();
    }
  });
});

describe("issue 29: send-mail's suppression list", () => {
  it('when SUPPRESSION_CHECK is required, then the report has a suppressionList component: UP while the database answers, DOWN (503, database.unreachable) while it is down; best-effort leaves it out', async () => {
    const postgres = await startMigratedPostgres();
    try {
      const database = { DATABASE_URL: postgres.url };
      const ops = { Authorization: `Bearer ${await token(['ops'])}` };

      const up = await healthOf({ ...database, SUPPRESSION_CHECK: 'required' }, ops);
      const bestEffort = await healthOf({ ...database, SUPPRESSION_CHECK: 'best-effort' });
      await postgres.down();
      const down = await healthOf({ ...database, SUPPRESSION_CHECK: 'required' }, ops);

      expect(up.status).toBe(200);
      expect((up.body as { components: Record<string, unknown> }).components.suppressionList).toMatchObject({
        status: 'UP',
      });
      expect((bestEffort.body as { components: Record<string, unknown> }).components).not.toHaveProperty(
        'suppressionList',
      );
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: 'DOWN',
        components: { suppressionList: { status: 'DOWN', details: { error: 'database.unreachable' } } },
      });
    } finally {
      await postgres.stop();
    }
  });
});
