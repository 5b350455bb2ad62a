/** The rate limit's parts without Redis: the bucket's arithmetic, the overrides, the headers, the store-down modes. */
import { createMemoryBuckets, takeFrom, type Buckets } from '../../../../functions/send-mail/rate-limit/bucket';
import { parseOverrides } from '../../../../functions/send-mail/rate-limit';
import { createRateLimiter, rateLimitHeaders } from '../../../../functions/send-mail/rate-limit/limiter';
import { RedisUnavailableError } from '../../../../shared/redis';
import pino from 'pino';

const POLICY = { rate: 10, burst: 20 };
const logger = pino({ level: 'silent' });

describe('takeFrom', () => {
  it('when the bucket is new, then it is full: a burst is taken at once and the next mail must wait a tenth of a second', () => {
    const first = takeFrom(undefined, 0, 20, POLICY);
    const next = takeFrom({ tokens: first.tokens, at: 0 }, 0, 1, POLICY);

    expect(first).toMatchObject({ allowed: true, remaining: 0, fullInMs: 2000 });
    expect(next).toMatchObject({ allowed: false, retryAfterMs: 100 });
  });

  it('when time passes, then the bucket refills at the rate, never above the burst', () => {
    expect(takeFrom({ tokens: 0, at: 0 }, 500, 5, POLICY)).toMatchObject({ allowed: true, remaining: 0 });
    expect(takeFrom({ tokens: 0, at: 0 }, 60_000, 0, POLICY)).toMatchObject({ remaining: 20, fullInMs: 0 });
  });

  it('when a request asks for more than is left, then it takes nothing (all or none)', () => {
    const taken = takeFrom({ tokens: 3, at: 0 }, 0, 5, POLICY);

    expect(taken).toMatchObject({ allowed: false, remaining: 3, retryAfterMs: 200 });
  });
});

describe('parseOverrides', () => {
  it('when entries are subject=rate/burst, then each subject has its policy; anything else is a problem', () => {
    const { policies, problems } = parseOverrides('campaign-service=200/400, billing=5/100,bad,zero=0/1');

    expect([...policies]).toEqual([
      ['campaign-service', { rate: 200, burst: 400 }],
      ['billing', { rate: 5, burst: 100 }],
    ]);
    expect(problems).toHaveLength(2);
  });
});

describe('rateLimitHeaders', () => {
  it('when a bucket has mails left, then the policy and what is left are written as the draft writes them', () => {
    expect(rateLimitHeaders(POLICY, { allowed: true, remaining: 7, retryAfterMs: 0, fullInMs: 1300 })).toEqual({
      'RateLimit-Policy': '"mail";q=20;w=2',
      RateLimit: '"mail";r=7;t=2',
    });
  });
});

describe('createRateLimiter', () => {
  const down: Buckets = {
    take: () => Promise.reject(new RedisUnavailableError(2000)),
    close: () => Promise.resolve(),
  };
  const options = { policy: POLICY, overrides: new Map([['vip', { rate: 100, burst: 200 }]]) };

  it('when the caller is over its bucket, then 429 rate.limit.exceeded with Retry-After and the headers', async () => {
    const limiter = createRateLimiter(
      createMemoryBuckets(() => 0),
      { ...options, whenStoreDown: 'local' },
      logger,
    );
    await limiter.take('a', 'a', 20);

    await expect(limiter.take('a', 'a', 1)).rejects.toMatchObject({
      code: 'rate.limit.exceeded',
      headers: expect.objectContaining({ 'Retry-After': '1', RateLimit: '"mail";r=0;t=2' }) as unknown,
    });
  });

  it('when the store is down and the mode is local, then this instance limits on its own', async () => {
    const limiter = createRateLimiter(down, { ...options, whenStoreDown: 'local' }, logger);

    await expect(limiter.take('a', 'a', 20)).resolves.toMatchObject({ RateLimit: '"mail";r=0;t=2' });
    await expect(limiter.take('a', 'a', 1)).rejects.toMatchObject({ code: 'rate.limit.exceeded' });
  });

  it('when the store is down and the mode is closed, then 503 rate.limit.unavailable with the store’s Retry-After', async () => {
    const limiter = createRateLimiter(down, { ...options, whenStoreDown: 'closed' }, logger);

    await expect(limiter.take('a', 'a', 1)).rejects.toMatchObject({
      code: 'rate.limit.unavailable',
      headers: { 'Retry-After': '2' },
    });
  });

  it('when the caller has an override, then its own policy applies', async () => {
    const limiter = createRateLimiter(
      createMemoryBuckets(() => 0),
      { ...options, whenStoreDown: 'local' },
      logger,
    );

    await expect(limiter.take('v', 'vip', 150)).resolves.toMatchObject({ 'RateLimit-Policy': '"mail";q=200;w=2' });
  });
});
