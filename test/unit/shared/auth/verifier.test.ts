import { AuthError } from '../../../../shared/auth/errors';
import { createTokenVerifier } from '../../../../shared/auth/verifier';
import { authSettings } from '../../../../shared/auth/settings';
import { composeSettings, loadConfig } from '../../../../shared/config';
import { claimsJson, compactJws, hmacSigner, nowSeconds } from '../../../support/hostile-tokens';

const SECRET = 'unit-test-secret-that-is-32-bytes-long!!';
const DAY = 86_400;

/** An HS256 token whose exp is written into the JSON as given, so 1e309 reaches the verifier as Infinity. */
function tokenWithExp(exp: string): string {
  return compactJws({ alg: 'HS256', typ: 'JWT' }, claimsJson({ sub: 'caller' }, { exp }), hmacSigner(SECRET));
}

function verifier(maxLifetime: string): (token: string) => Promise<unknown> {
  return createTokenVerifier(
    loadConfig(composeSettings('auth', [authSettings]), {
      ENVIRONMENT: 'local',
      AUTH_HS256_SECRET: SECRET,
      AUTH_MAX_TOKEN_LIFETIME_SECONDS: maxLifetime,
    }),
    undefined,
  );
}

async function reasonOf(verification: Promise<unknown>): Promise<string> {
  const err: unknown = await verification.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(err instanceof AuthError)) throw new Error('expected an AuthError');
  expect(err.code).toBe('auth.token.invalid');
  return err.reason;
}

describe('createTokenVerifier (finding 6: tokens that never expire)', () => {
  it.each([
    { name: 'exp 1e309 (Infinity once parsed)', exp: () => '1e309', reason: 'claim_invalid' },
    { name: 'exp 1e20', exp: () => '1e20', reason: 'claim_invalid' },
    { name: 'exp two days ahead', exp: () => String(nowSeconds() + 2 * DAY), reason: 'lifetime_too_long' },
  ])('when an HS256 token has $name, then it is refused ($reason)', async ({ exp, reason }) => {
    await expect(reasonOf(verifier('86400')(tokenWithExp(exp())))).resolves.toBe(reason);
  });

  it('when an HS256 token lives an hour, then it is accepted', async () => {
    await expect(verifier('86400')(tokenWithExp(String(nowSeconds() + 3600)))).resolves.toMatchObject({
      sub: 'caller',
    });
  });

  it('when the cap is off, then a token a year ahead is accepted but exp 1e309 still is not', async () => {
    await expect(verifier('0')(tokenWithExp(String(nowSeconds() + 365 * DAY)))).resolves.toMatchObject({
      sub: 'caller',
    });
    await expect(reasonOf(verifier('0')(tokenWithExp('1e309')))).resolves.toBe('claim_invalid');
  });
});
