import type { JWTPayload } from 'jose';
import { AuthError } from '../../../../shared/auth/errors';
import { checkLifetime } from '../../../../shared/auth/lifetime';

const NOW = 1_800_000_000;
const DAY = 86_400;
const policy = { maxSeconds: DAY, toleranceSeconds: 30 };

function refusal(payload: JWTPayload, maxSeconds = DAY): { code: string; reason: string } | undefined {
  try {
    checkLifetime(payload, { ...policy, maxSeconds }, NOW);
    return undefined;
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    return { code: err.code, reason: err.reason };
  }
}

describe('checkLifetime (finding 6: tokens that never expire)', () => {
  it.each([
    { name: 'exp Infinity (1e309 in the JSON)', payload: { exp: Number.POSITIVE_INFINITY }, reason: 'claim_invalid' },
    { name: 'exp NaN', payload: { exp: Number.NaN }, reason: 'claim_invalid' },
    { name: 'exp 1e20 (past 2^53)', payload: { exp: 1e20 }, reason: 'claim_invalid' },
    { name: 'exp a string', payload: { exp: '1800000000' as unknown as number }, reason: 'claim_invalid' },
    { name: 'no exp', payload: {}, reason: 'claim_invalid' },
    { name: 'exp a day and 31 s ahead', payload: { exp: NOW + DAY + 31 }, reason: 'lifetime_too_long' },
    { name: 'exp a year ahead', payload: { exp: NOW + 365 * DAY }, reason: 'lifetime_too_long' },
    { name: 'exp 2^53 - 1', payload: { exp: Number.MAX_SAFE_INTEGER }, reason: 'lifetime_too_long' },
    {
      name: 'exp within a day but issued for two',
      payload: { iat: NOW - DAY - 3600, exp: NOW + 3600 },
      reason: 'lifetime_too_long',
    },
    { name: 'iat -Infinity', payload: { iat: Number.NEGATIVE_INFINITY, exp: NOW + 60 }, reason: 'lifetime_too_long' },
  ])('when the token has $name, then it is refused as auth.token.invalid ($reason)', ({ payload, reason }) => {
    expect(refusal(payload)).toEqual({ code: 'auth.token.invalid', reason });
  });

  it.each([
    { name: 'exp five minutes ahead', payload: { exp: NOW + 300 } },
    { name: 'exp exactly a day ahead', payload: { exp: NOW + DAY } },
    { name: 'exp a day ahead plus the clock tolerance (issuer clock ahead)', payload: { exp: NOW + DAY + 30 } },
    { name: 'iat and exp exactly a day apart', payload: { iat: NOW - 10, exp: NOW - 10 + DAY } },
    { name: 'a fractional exp', payload: { exp: NOW + 300.5 } },
    { name: 'iat in the future (jose judges nbf, not iat)', payload: { iat: NOW + 60, exp: NOW + 300 } },
  ])('when the token has $name, then it passes', ({ payload }) => {
    expect(refusal(payload)).toBeUndefined();
  });

  it.each([
    { name: 'exp a year ahead', payload: { exp: NOW + 365 * DAY }, expected: undefined },
    { name: 'exp 2^53 - 1', payload: { exp: Number.MAX_SAFE_INTEGER }, expected: undefined },
    {
      name: 'exp Infinity',
      payload: { exp: Number.POSITIVE_INFINITY },
      expected: { code: 'auth.token.invalid', reason: 'claim_invalid' },
    },
    { name: 'exp 1e20', payload: { exp: 1e20 }, expected: { code: 'auth.token.invalid', reason: 'claim_invalid' } },
  ])(
    'when the cap is off (0) and the token has $name, then only a non-finite exp is refused',
    ({ payload, expected }) => {
      expect(refusal(payload, 0)).toEqual(expected);
    },
  );
});
