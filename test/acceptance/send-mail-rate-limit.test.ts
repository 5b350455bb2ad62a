/**
 * Issue 31, per-caller rate limits: two send-mail instances share each caller's token bucket in a real Redis
 * (Debian's redis-server), against a real SMTP server that counts what arrives. Over the limit the answer is
 * 429 rate.limit.exceeded with Retry-After and the RateLimit headers, and no SMTP work; another caller is
 * not affected; with Redis killed, the chosen mode holds.
 */
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { expectErrorBody, postJson, request, type Answer } from '../support/http-client';
import { createHealthApp } from '../../functions/health/app';
import { startRedisServer, type TestRedisServer } from '../support/redis-server';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';

jest.setTimeout(120_000);

/** 10 mails a second with a burst of 20 (and batches of at most 20, so a full one fits the bucket). */
const RATE = 10;
const BURST = 20;

let smtp: TestSmtpServer;
let redis: TestRedisServer;
let first: FunctionUnderTest;
let second: FunctionUnderTest;
let closed: FunctionUnderTest;

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  SMTP_URL: smtp.url,
  MAIL_FROM: 'mailer@example.com',
  SMTP_POOL_SIZE: '10',
  MAX_BATCH_SIZE: String(BURST),
  RATE_LIMIT_PER_SECOND: String(RATE),
  RATE_LIMIT_BURST: String(BURST),
  RATE_LIMIT_OVERRIDES: `bulk-sender=${RATE * 2}/${BURST * 2}`,
  RATE_LIMIT_REDIS_URL: redis.url,
  RATE_LIMIT_REDIS_TIMEOUT_MS: '200',
  RATE_LIMIT_BREAKER_RESET_SECONDS: '1',
  ...extra,
});

beforeAll(async () => {
  [smtp, redis] = await Promise.all([startSmtpServer(), startRedisServer()]);
  first = await startFunction(createSendMailApp, env());
  second = await startFunction(createSendMailApp, env());
  closed = await startFunction(createSendMailApp, env({ RATE_LIMIT_WHEN_STORE_DOWN: 'closed' }));
});

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop(), closed?.stop()]);
  await Promise.all([smtp?.stop(), redis?.stop()]);
});

beforeEach(async () => {
  smtp.reset();
  await redis.reset();
});

const mail = (to: string) => ({ to_address: to, subject: 'rate', body: 'a mail\n' });
const send = async (fn: FunctionUnderTest, subject: string, to: string): Promise<Answer> =>
  postJson(`${fn.url}${SEND_MAIL_PATH}`, mail(to), await bearer({ subject }));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('when a caller sends at 5× its rate across two instances for 20 s', () => {
  it('then what is accepted stays within rate × time + burst, the rest is 429 with headers and no SMTP, and another caller is unaffected', async () => {
    const seconds = 20;
    const answers: Answer[] = [];
    const quiet: Answer[] = [];
    const started = Date.now();
    // 50 requests a second, alternating between the instances; the quiet caller sends 2 a second.
    for (let tick = 0; tick < seconds * 10; tick += 1) {
      const batch = Array.from({ length: 5 }, (_, n) =>
        send(n % 2 === 0 ? first : second, 'loud-sender', `loud-${tick}-${n}@mailinator.com`),
      );
      if (tick % 5 === 0)
        quiet.push(await send(tick % 10 === 0 ? first : second, 'quiet-sender', `quiet-${tick}@mailinator.com`));
      answers.push(...(await Promise.all(batch)));
      await sleep(Math.max(0, started + (tick + 1) * 100 - Date.now()));
    }
    const elapsed = (Date.now() - started) / 1000;

    const accepted = answers.filter((answer) => answer.status === 200);
    const limited = answers.filter((answer) => answer.status === 429);
    expect(accepted.length + limited.length).toBe(answers.length);
    // A token bucket lets through at most burst + rate × time; the tolerance is one second of rate for
    // requests that were taken while the clock read the last tick.
    expect(accepted.length).toBeLessThanOrEqual(BURST + RATE * elapsed + RATE);
    expect(accepted.length).toBeGreaterThanOrEqual(RATE * seconds - RATE);
    for (const answer of limited.slice(0, 20)) {
      expectErrorBody(answer, 'rate.limit.exceeded');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answer.headers.get('ratelimit-policy')).toBe(`"mail";q=${BURST};w=${BURST / RATE}`);
      expect(answer.headers.get('ratelimit')).toMatch(/^"mail";r=0;t=\d+$/);
    }
    expect(accepted[0]?.headers.get('ratelimit')).toMatch(/^"mail";r=\d+;t=\d+$/);
    // No SMTP work for a refused mail: the server saw exactly the accepted ones, and every quiet one.
    const loudAtServer = smtp.mails.filter((received) => received.to[0]?.startsWith('loud-')).length;
    expect(loudAtServer).toBe(accepted.length);
    expect(quiet.map((answer) => answer.status)).toEqual(quiet.map(() => 200));
    expect(smtp.mails.filter((received) => received.to[0]?.startsWith('quiet-'))).toHaveLength(quiet.length);
  });
});

describe('when a batch is sent', () => {
  it('then it takes one token per mail it would send: a second full batch at once is 429 and sends nothing', async () => {
    const auth = await bearer({ subject: 'batch-sender' });
    const batch = { messages: Array.from({ length: BURST }, (_, n) => mail(`batch-${n}@mailinator.com`)) };

    const whole = await postJson(`${first.url}${SEND_MAIL_BATCH_PATH}`, batch, auth);
    const again = await postJson(`${second.url}${SEND_MAIL_BATCH_PATH}`, batch, auth);

    expect(whole.status).toBe(200);
    expect(whole.headers.get('ratelimit')).toMatch(/^"mail";r=0;t=\d+$/);
    expectErrorBody(again, 'rate.limit.exceeded');
    expect(smtp.mails).toHaveLength(BURST);
  });

  it('then a caller with an override has its own rate and burst', async () => {
    const auth = await bearer({ subject: 'bulk-sender' });
    const batch = { messages: Array.from({ length: BURST }, (_, n) => mail(`bulk-${n}@mailinator.com`)) };

    const answers = [
      await postJson(`${first.url}${SEND_MAIL_BATCH_PATH}`, batch, auth),
      await postJson(`${second.url}${SEND_MAIL_BATCH_PATH}`, batch, auth),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(answers[0]?.headers.get('ratelimit-policy')).toBe(`"mail";q=${BURST * 2};w=${BURST / RATE}`);
    expect(smtp.mails).toHaveLength(2 * BURST);
  });
});

describe('when Redis is killed', () => {
  it('then the default mode limits each instance on its own: mails still go out, and each instance still answers 429 past its burst', async () => {
    await redis.kill();
    try {
      const answers: Answer[] = [];
      for (let n = 0; n < BURST + 10; n += 1)
        answers.push(await send(first, 'outage-sender', `outage-${n}@mailinator.com`));
      const refused = await send(closed, 'outage-sender', 'closed@mailinator.com');

      const accepted = answers.filter((answer) => answer.status === 200).length;
      expect(accepted).toBeGreaterThanOrEqual(BURST);
      expect(accepted).toBeLessThan(BURST + 10);
      expect(answers.every((answer) => answer.status === 200 || answer.status === 429)).toBe(true);
      expect(smtp.mails).toHaveLength(accepted);
      // RATE_LIMIT_WHEN_STORE_DOWN=closed: nothing sent while the buckets cannot be read.
      expectErrorBody(refused, 'rate.limit.unavailable');
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(smtp.mails.some((received) => received.to[0] === 'closed@mailinator.com')).toBe(false);
    } finally {
      await redis.start();
    }
  });
});

describe('health with send-mail refusing mail while its rate limit store is down (closed)', () => {
  it.each([
    { name: 'Redis answers', status: 200, component: { status: 'UP' } },
    {
      name: 'Redis is killed',
      status: 503,
      component: { status: 'DOWN', details: expect.objectContaining({ error: 'redis.unreachable' }) as unknown },
    },
  ])('when $name, then the report has a rateLimitStore component that says so', async ({ name, status, component }) => {
    const health = await startFunction(createHealthApp, {
      SMTP_URL: smtp.url,
      RATE_LIMIT_WHEN_STORE_DOWN: 'closed',
      RATE_LIMIT_REDIS_URL: redis.url,
      HEALTH_TIMEOUT_MS: '500',
    });
    if (name === 'Redis is killed') await redis.kill();
    try {
      const answer = await request(`${health.url}/health`, { headers: await bearer({ roles: ['ops'] }) });

      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ components: { rateLimitStore: component } });
    } finally {
      await health.stop();
      if (name === 'Redis is killed') await redis.start();
    }
  });
});
