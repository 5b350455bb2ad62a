/**
 * Idempotency-Key on send-mail, in-process behind our launcher, against a real SMTP server and a real
 * Redis (Debian's redis-server). Every case keeps a ledger: the mails at the SMTP server, the answers,
 * the email.sent events (the local file publisher) and the idempotency metric.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHealthApp } from '../../functions/health/app';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { validRequest } from '../fixtures/send-mail-requests';
import { eventually } from '../support/eventually';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { expectErrorBody, postJson, request, type Answer } from '../support/http-client';
import { afterGreeting, startDelayProxy } from '../support/faults/delay-proxy';
import { freePort, startChild, type ChildFunction } from '../support/processes';
import { openRaw, post, statuses } from '../support/raw-http';
import { startRedisServer, type TestRedisServer } from '../support/redis-server';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer, DEV_SECRET } from '../support/tokens';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let smtp: TestSmtpServer;
let redis: TestRedisServer;
let closedPort: number;
let eventsDir: string;
const started: FunctionUnderTest[] = [];

beforeAll(async () => {
  [smtp, redis, closedPort] = await Promise.all([startSmtpServer(), startRedisServer(), freePort()]);
  eventsDir = await mkdtemp(join(tmpdir(), 'idempotency-events-'));
});
beforeEach(async () => {
  smtp.reset();
  await redis.reset();
});
afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  await Promise.all([smtp.stop(), redis.stop()]);
  await rm(eventsDir, { recursive: true, force: true });
});

let instances = 0;
/** A send-mail instance on the shared SMTP server and Redis, with its own events file. */
async function startSendMail(
  env: Record<string, string> = {},
): Promise<{ fn: FunctionUnderTest; endpoint: string; events: () => Promise<Record<string, unknown>[]> }> {
  instances += 1;
  const eventsFile = join(eventsDir, `events-${instances}.jsonl`);
  const fn = await startFunction(createSendMailApp, {
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    FEATURE_IDEMPOTENCY: 'true',
    IDEMPOTENCY_REDIS_URL: redis.url,
    FEATURE_EMAIL_SENT_EVENT: 'true',
    EVENT_OUTBOX_FILE: eventsFile,
    ...env,
  });
  started.push(fn);
  const events = async (): Promise<Record<string, unknown>[]> => {
    const text = await readFile(eventsFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { fn, endpoint: `${fn.url}${SEND_MAIL_PATH}`, events };
}

const keyed = async (key: string, subject = 'campaign-service'): Promise<Record<string, string>> => ({
  ...(await bearer({ subject })),
  'Idempotency-Key': key,
});

async function metric(fn: FunctionUnderTest, outcome: string): Promise<number> {
  const text = await (await fetch(`${fn.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((row) => row.startsWith('mailer_idempotency_total{') && row.includes(`outcome="${outcome}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('one send-mail instance on Redis', () => {
  let sendMail: Awaited<ReturnType<typeof startSendMail>>;
  beforeAll(async () => {
    sendMail = await startSendMail();
  });

  it('when a keyed request is repeated, then the answer is replayed identically and nothing is sent or published again', async () => {
    const headers = await keyed('replay-1');
    const first = await postJson(sendMail.endpoint, validRequest, headers);
    const again = await postJson(sendMail.endpoint, validRequest, headers);

    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
    expect(smtp.mails).toHaveLength(1);
    const events = await sendMail.events();
    expect(events.filter((event) => event.subject === (first.body as { messageId: string }).messageId)).toEqual([
      expect.objectContaining({ idempotencykey: sha256('replay-1') }),
    ]);
    expect(await metric(sendMail.fn, 'replayed')).toBeGreaterThanOrEqual(1);
    const lines = sendMail.fn.logs
      .lines()
      .filter((line) => (line.url as { path?: string } | undefined)?.path === SEND_MAIL_PATH);
    expect(lines.slice(-2).map((line) => line.idempotency)).toEqual([
      { key_hash: sha256('replay-1'), outcome: 'stored' },
      { key_hash: sha256('replay-1'), outcome: 'replayed' },
    ]);
    expect(sendMail.fn.logs.text()).not.toContain('replay-1');
  });

  it('when the same body is re-serialized with its keys in another order, then it is still a replay', async () => {
    const headers = await keyed('reordered');
    await postJson(sendMail.endpoint, validRequest, headers);
    const reordered = JSON.stringify({
      body: validRequest.body,
      subject: validRequest.subject,
      to_address: validRequest.to_address,
    });
    const again = await postJson(sendMail.endpoint, reordered, headers);

    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(smtp.mails).toHaveLength(1);
  });

  it('when 50 requests with one key arrive at once, then exactly one mail and one event go out, and every other answer is 409 or the replay', async () => {
    smtp.dataDelayMs = 300;
    try {
      const headers = await keyed('fifty');
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => postJson(sendMail.endpoint, validRequest, headers)),
      );
      const sent = answers.filter(
        (answer) => answer.status === 200 && answer.headers.get('idempotent-replayed') === null,
      );
      const replays = answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true');
      const inflight = answers.filter((answer) => answer.status === 409);

      expect(sent).toHaveLength(1);
      expect(replays.length + inflight.length).toBe(49);
      for (const answer of inflight) {
        expectErrorBody(answer, 'idempotency.request.inflight');
        expect(answer.headers.get('retry-after')).toBe('1');
      }
      for (const answer of replays) expect(answer.text).toBe(sent[0]?.text);
      expect(smtp.mails).toHaveLength(1);
      const messageId = (sent[0]?.body as { messageId: string }).messageId;
      expect((await sendMail.events()).filter((event) => event.subject === messageId)).toHaveLength(1);
    } finally {
      smtp.dataDelayMs = 0;
    }
  });

  it('when a key is reused with another body, then the answer is 422 idempotency.key.mismatch and nothing is sent', async () => {
    const headers = await keyed('mismatch');
    await postJson(sendMail.endpoint, validRequest, headers);
    const other = await postJson(sendMail.endpoint, { ...validRequest, subject: 'another subject' }, headers);

    expect(other.status).toBe(422);
    expectErrorBody(other, 'idempotency.key.mismatch');
    expect(smtp.mails).toHaveLength(1);
    expect(await metric(sendMail.fn, 'mismatch')).toBeGreaterThanOrEqual(1);
  });

  it.each([
    { name: 'empty', key: '' },
    { name: 'longer than 255 characters', key: 'k'.repeat(256) },
    { name: 'not printable ASCII', key: 'caf\u00e9' },
  ])('when the key is $name, then the answer is 400 idempotency.key.invalid and nothing is sent', async ({ key }) => {
    const answer = await postJson(sendMail.endpoint, validRequest, {
      ...(await bearer()),
      'Idempotency-Key': key,
    });

    expect(answer.status).toBe(400);
    expectErrorBody(answer, 'idempotency.key.invalid');
    expect(smtp.mails).toHaveLength(0);
  });

  it("when caller B uses caller A's key, then B neither sees A's answer nor is blocked by it", async () => {
    const fromA = await postJson(sendMail.endpoint, validRequest, await keyed('shared-key', 'caller-a'));
    const sameBody = await postJson(sendMail.endpoint, validRequest, await keyed('shared-key', 'caller-b'));
    const otherBody = await postJson(
      sendMail.endpoint,
      { ...validRequest, subject: 'B again' },
      await keyed('shared-key-2', 'caller-b'),
    );
    await postJson(sendMail.endpoint, validRequest, await keyed('shared-key-2', 'caller-a'));

    expect([fromA.status, sameBody.status, otherBody.status]).toEqual([200, 200, 200]);
    expect(sameBody.headers.get('idempotent-replayed')).toBeNull();
    expect(sameBody.body).not.toEqual(fromA.body);
    expect(smtp.mails).toHaveLength(4);
  });

  it('when the recipient is rejected, then that 400 is stored and replayed, and the server sees the recipient once', async () => {
    smtp.rejectPermanently.add('rejected@example.com');
    try {
      const headers = await keyed('rejected');
      const body = { ...validRequest, to_address: 'rejected@example.com' };
      const first = await postJson(sendMail.endpoint, body, headers);
      const again = await postJson(sendMail.endpoint, body, headers);

      expectErrorBody(first, 'email.recipient.rejected');
      expect(again.text).toBe(first.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(smtp.recipientsSeen.filter((address) => address === 'rejected@example.com')).toHaveLength(1);
    } finally {
      smtp.rejectPermanently.clear();
    }
  });

  it('when the SMTP server refuses for now (nothing sent), then the key is released and the retry sends', async () => {
    smtp.rejectTemporarily.add('later@example.com');
    const headers = await keyed('released');
    const body = { ...validRequest, to_address: 'later@example.com' };
    const first = await postJson(sendMail.endpoint, body, headers);
    smtp.rejectTemporarily.clear();
    const retry = await postJson(sendMail.endpoint, body, headers);

    expect(first.status).toBe(502);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(smtp.mails).toHaveLength(1);
  });
});

it('when two send-mail instances share Redis and both get the same keyed request, then one mail goes out', async () => {
  const [a, b] = await Promise.all([startSendMail(), startSendMail()]);
  smtp.dataDelayMs = 200;
  try {
    const headers = await keyed('two-instances');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postJson((i % 2 === 0 ? a : b).endpoint, validRequest, headers)),
    );
    await eventually(
      async () => (await postJson(b.endpoint, validRequest, headers)).headers.get('idempotent-replayed'),
      (replayed) => replayed === 'true',
      { what: 'the replay from the other instance' },
    );

    expect(
      answers.filter((answer) => answer.status === 200 && answer.headers.get('idempotent-replayed') === null),
    ).toHaveLength(1);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);
    expect(smtp.mails).toHaveLength(1);
    expect((await a.events()).length + (await b.events()).length).toBe(1);
  } finally {
    smtp.dataDelayMs = 0;
  }
});

it('when a key outlives IDEMPOTENCY_TTL_SECONDS, then the same request sends a new mail', async () => {
  const { endpoint } = await startSendMail({ IDEMPOTENCY_TTL_SECONDS: '1' });
  const headers = await keyed('expires');
  const first = await postJson(endpoint, validRequest, headers);

  const fresh: Answer = await eventually(
    () => postJson(endpoint, validRequest, headers),
    (answer) => answer.status === 200 && answer.headers.get('idempotent-replayed') === null,
    { what: 'a new send after the TTL', timeoutMs: 5000, intervalMs: 200 },
  );

  expect(fresh.body).not.toEqual(first.body);
  expect(smtp.mails).toHaveLength(2);
});

describe('health with send-mail keeping its keys in Redis', () => {
  it.each([
    { name: 'Redis answers', url: () => redis.url, status: 200, component: { status: 'UP' } },
    {
      name: 'Redis cannot be reached',
      url: () => `redis://127.0.0.1:${closedPort}`,
      status: 503,
      component: { status: 'DOWN', details: expect.objectContaining({ error: 'redis.unreachable' }) as unknown },
    },
  ])(
    'when $name, then the report has an idempotencyStore component that says so',
    async ({ url, status, component }) => {
      const health = await startFunction(createHealthApp, {
        SMTP_URL: smtp.url,
        FEATURE_IDEMPOTENCY: 'true',
        IDEMPOTENCY_REDIS_URL: url(),
        HEALTH_TIMEOUT_MS: '500',
      });
      started.push(health);
      const answer = await request(`${health.url}/health`, { headers: await bearer({ roles: ['ops'] }) });

      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ components: { idempotencyStore: component } });
    },
  );
});

describe('when Redis stops mid-run', () => {
  it('then keyed requests get 503 idempotency.store.unavailable and send nothing, unkeyed ones still send, and keyed ones work again once it returns', async () => {
    const { fn, endpoint } = await startSendMail({
      IDEMPOTENCY_BREAKER_RESET_SECONDS: '1',
      IDEMPOTENCY_REDIS_TIMEOUT_MS: '300',
    });
    expect((await postJson(endpoint, validRequest, await keyed('before-outage'))).status).toBe(200);

    await redis.kill();
    const keyedAnswers = [];
    for (let i = 0; i < 4; i += 1)
      keyedAnswers.push(await postJson(endpoint, validRequest, await keyed(`outage-${i}`)));
    const unkeyed = await postJson(endpoint, validRequest, await bearer());

    for (const answer of keyedAnswers) {
      expect(answer.status).toBe(503);
      expectErrorBody(answer, 'idempotency.store.unavailable');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(unkeyed.status).toBe(200);
    expect(smtp.mails).toHaveLength(2);
    expect(await metric(fn, 'unavailable')).toBe(4);

    await redis.start();
    const recovered = await eventually(
      async () => postJson(endpoint, validRequest, await keyed('after-outage')),
      (answer) => answer.status === 200,
      { what: 'a keyed send once Redis is back', timeoutMs: 10000, intervalMs: 250 },
    );
    expect(recovered.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe("when an instance is killed while it holds a key's claim", () => {
  let child: ChildFunction | undefined;
  let silent: Server | undefined;
  const sockets: Socket[] = [];
  afterAll(async () => {
    child?.child.kill('SIGKILL');
    for (const socket of sockets) socket.destroy();
    if (silent) await new Promise((resolve) => silent?.close(resolve));
  });

  it('then the key answers 409 until IDEMPOTENCY_LOCK_SECONDS have passed, and then a retry sends the mail', async () => {
    // An SMTP peer that never greets: the killed instance holds its claim before any mail could go out.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const timing = {
      REQUEST_TIMEOUT_SECONDS: '2',
      IDEMPOTENCY_LOCK_SECONDS: '3',
      SMTP_SEND_TIMEOUT_SECONDS: '1',
      SMTP_CONNECTION_TIMEOUT_SECONDS: '1',
      SMTP_GREETING_TIMEOUT_SECONDS: '1',
      SMTP_SOCKET_TIMEOUT_SECONDS: '1',
      IDEMPOTENCY_REDIS_TIMEOUT_MS: '300',
    };
    const port = await freePort();
    child = await startChild(
      ['dist/send-mail/main.js'],
      {
        ENVIRONMENT: 'local',
        PORT: String(port),
        SMTP_URL: `smtp://127.0.0.1:${silentPort}`,
        MAIL_FROM: 'mailer@example.com',
        AUTH_HS256_SECRET: DEV_SECRET,
        FEATURE_IDEMPOTENCY: 'true',
        IDEMPOTENCY_REDIS_URL: redis.url,
        ...timing,
      },
      port,
    );
    const headers = await keyed('killed');
    const pending = postJson(`${child.url}${SEND_MAIL_PATH}`, validRequest, headers).catch(() => undefined);
    await eventually(
      () => redis.client().keys('mailer:idempotency:*'),
      (keys) => keys.length === 1,
      {
        what: 'the claim in Redis',
      },
    );
    child.child.kill('SIGKILL');
    await child.exited;
    await pending;
    const claimedAt = Date.now();

    const survivor = await startSendMail({ ...timing, FEATURE_EMAIL_SENT_EVENT: 'false' });
    const blocked = await postJson(survivor.endpoint, validRequest, headers);
    expect(blocked.status).toBe(409);
    expectErrorBody(blocked, 'idempotency.request.inflight');
    const [key] = await redis.client().keys('mailer:idempotency:*');
    expect(await redis.client().pttl(key ?? '')).toBeLessThanOrEqual(3000);

    const sent = await eventually(
      () => postJson(survivor.endpoint, validRequest, headers),
      (answer) => answer.status === 200,
      { what: 'a send once the claim expired', timeoutMs: 6000, intervalMs: 250 },
    );
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(2000);
    expect(sent.headers.get('idempotent-replayed')).toBeNull();
    expect(smtp.mails).toHaveLength(1);
  });
});

describe('issue 26: idempotency edges', () => {
  it('finding 3: when Redis freezes during the claim, then the request is 503 and sends nothing, and once Redis is back the late claim never locks the key: a retry sends within seconds, once', async () => {
    const { endpoint } = await startSendMail({
      IDEMPOTENCY_REDIS_TIMEOUT_MS: '300',
      IDEMPOTENCY_BREAKER_RESET_SECONDS: '1',
    });
    const headers = await keyed('frozen-claim');
    expect((await postJson(endpoint, validRequest, await keyed('warm-up'))).status).toBe(200);
    smtp.reset();

    redis.freeze();
    let refused: Answer;
    try {
      refused = await postJson(endpoint, validRequest, headers);
    } finally {
      redis.thaw();
    }
    expect(refused.status).toBe(503);
    expectErrorBody(refused, 'idempotency.store.unavailable');
    expect(smtp.mails).toHaveLength(0);

    // Before the fix, the claim Redis ran on resuming held the key for IDEMPOTENCY_LOCK_SECONDS (60 s).
    const sent = await eventually(
      () => postJson(endpoint, validRequest, headers),
      (answer) => answer.status === 200,
      { what: 'the retry sending once Redis is back', timeoutMs: 8000, intervalMs: 250 },
    );
    expect(sent.headers.get('idempotent-replayed')).toBeNull();
    expect(smtp.mails).toHaveLength(1);
  });

  it('finding 4: when a request carries two Idempotency-Key headers, then it is refused with 400 idempotency.key.invalid and nothing is sent', async () => {
    const { fn } = await startSendMail();
    const raw = await openRaw(fn.url);
    const request = post(SEND_MAIL_PATH, JSON.stringify(validRequest), {
      ...(await bearer()),
      'Idempotency-Key': 'first',
    }).replace('\r\n\r\n', '\r\nIdempotency-Key: second\r\n\r\n');
    raw.socket.write(request);

    const text = await raw.until(/\r\n\r\n\{[\s\S]*\}$/);
    raw.socket.destroy();
    expect(statuses(text)).toEqual([400]);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ message: 'idempotency.key.invalid' });
    expect(smtp.mails).toHaveLength(0);
  });

  it('finding 5: when Redis loses its data while a keyed request is in flight, then the answer is stored anew (counted as restored), and the retry replays it instead of sending again', async () => {
    const slow = await startDelayProxy(smtp.port, afterGreeting(400));
    try {
      const { fn, endpoint } = await startSendMail({ SMTP_URL: slow.url });
      const headers = await keyed('lost-data');
      const pending = postJson(endpoint, validRequest, headers);
      await eventually(
        () => redis.client().keys('mailer:idempotency:*'),
        (keys) => keys.length === 1,
        { what: 'the claim in Redis' },
      );
      await redis.reset(); // a restart without persistence, as far as the keys go

      const first = await pending;
      const retry = await postJson(endpoint, validRequest, headers);

      expect(first.status).toBe(200);
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(smtp.mails).toHaveLength(1);
      expect(await metric(fn, 'restored')).toBe(1);
    } finally {
      await slow.stop();
    }
  });
});
