import type { JWTPayload } from 'jose';
import { VERIFIED_TOKENS_MAX, withVerifiedCache } from '../../../../shared/auth/verified-cache';

/** A verifier that counts its calls and answers from a table; a token missing from it is refused. */
function countingVerifier(payloads: Record<string, JWTPayload>): {
  verify: (token: string) => Promise<JWTPayload>;
  calls: () => number;
} {
  let calls = 0;
  return {
    verify: (token) => {
      calls += 1;
      const payload = payloads[token];
      if (!payload) return Promise.reject(Object.assign(new Error('refused'), { code: 'auth.token.invalid' }));
      return Promise.resolve(payload);
    },
    calls: () => calls,
  };
}

describe('withVerifiedCache', () => {
  const start = 1_800_000_000_000;
  const inAnHour = start / 1000 + 3600;

  it('when the same token comes again within the cache time, then its signature is not checked again', async () => {
    let now = start;
    const inner = countingVerifier({ a: { exp: inAnHour, sub: 'caller' } });
    const verify = withVerifiedCache(inner.verify, 60, () => now);
    await expect(verify('a')).resolves.toMatchObject({ sub: 'caller' });
    now += 59_000;
    await expect(verify('a')).resolves.toMatchObject({ sub: 'caller' });
    expect(inner.calls()).toBe(1);
  });

  it('when the cache time has passed, then the token is verified again', async () => {
    let now = start;
    const inner = countingVerifier({ a: { exp: inAnHour } });
    const verify = withVerifiedCache(inner.verify, 60, () => now);
    await verify('a');
    now += 60_000;
    await verify('a');
    expect(inner.calls()).toBe(2);
  });

  it('when the token expires before the cache time, then the entry ends at exp and the verifier judges it again', async () => {
    let now = start;
    const inner = countingVerifier({ a: { exp: start / 1000 + 10 } });
    const verify = withVerifiedCache(inner.verify, 60, () => now);
    await verify('a');
    now += 10_000;
    await verify('a');
    expect(inner.calls()).toBe(2);
  });

  it('when a token is refused, then nothing is remembered and the next try is verified again', async () => {
    const inner = countingVerifier({});
    const verify = withVerifiedCache(inner.verify, 60, () => start);
    await expect(verify('forged')).rejects.toMatchObject({ code: 'auth.token.invalid' });
    await expect(verify('forged')).rejects.toMatchObject({ code: 'auth.token.invalid' });
    expect(inner.calls()).toBe(2);
  });

  it('when the cache time is 0, then every request is verified', async () => {
    const inner = countingVerifier({ a: { exp: inAnHour } });
    const verify = withVerifiedCache(inner.verify, 0, () => start);
    await verify('a');
    await verify('a');
    expect(inner.calls()).toBe(2);
  });

  it('when more distinct tokens come than it holds, then the least recently used are verified again', async () => {
    const tokens = Array.from({ length: VERIFIED_TOKENS_MAX + 1 }, (_, i) => `t${i}`);
    const inner = countingVerifier(Object.fromEntries(tokens.map((token) => [token, { exp: inAnHour }])));
    const verify = withVerifiedCache(inner.verify, 60, () => start);
    for (const token of tokens) await verify(token);
    await verify('t0');
    expect(inner.calls()).toBe(VERIFIED_TOKENS_MAX + 2);
  });

  it.each([
    { name: 'Infinity', exp: Number.POSITIVE_INFINITY },
    { name: 'NaN', exp: Number.NaN },
  ])(
    'when a verified token has exp $name, then it is never remembered (finding 6: never trusted past the cap)',
    async ({ exp }) => {
      const inner = countingVerifier({ a: { exp } });
      const verify = withVerifiedCache(inner.verify, 60, () => start);
      await verify('a');
      await verify('a');
      expect(inner.calls()).toBe(2);
    },
  );
});
