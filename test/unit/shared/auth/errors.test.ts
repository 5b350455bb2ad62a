import { tokenInvalid, tokenProblemOf, type AuthFailureReason } from '../../../../shared/auth/errors';

describe('tokenInvalid', () => {
  it.each<{ name: string; reason: AuthFailureReason; problem: string }>([
    { name: 'an expired token', reason: 'expired', problem: 'expired' },
    { name: 'a token before its nbf', reason: 'not_yet_valid', problem: 'not_yet_valid' },
    { name: 'a bad signature', reason: 'signature', problem: 'signature' },
    { name: 'a refused alg', reason: 'alg_not_allowed', problem: 'signature' },
    { name: 'an unknown kid', reason: 'unknown_kid', problem: 'signature' },
    { name: 'an ambiguous kid', reason: 'ambiguous_kid', problem: 'signature' },
    { name: 'a refused key', reason: 'key_rejected', problem: 'signature' },
    { name: 'an unsupported header', reason: 'unsupported', problem: 'signature' },
    { name: 'no verifier for the alg', reason: 'no_verifier', problem: 'signature' },
    { name: 'a wrong claim', reason: 'claim_invalid', problem: 'claims' },
    { name: 'a lifetime over the limit', reason: 'lifetime_too_long', problem: 'claims' },
    { name: 'a malformed token', reason: 'malformed', problem: 'malformed' },
    { name: 'a token over the size limit', reason: 'too_large', problem: 'malformed' },
  ])(
    'when the reason is $name, then details and challenge say $problem and the code stays auth.token.invalid',
    ({ reason, problem }) => {
      const error = tokenInvalid(reason);

      expect(tokenProblemOf(reason)).toBe(problem);
      expect(error.code).toBe('auth.token.invalid');
      expect(error.details).toEqual([{ field: 'authorization', code: `token.${problem}` }]);
      expect(error.headers['WWW-Authenticate']).toMatch(
        /^Bearer realm="mailer", error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]+"$/,
      );
    },
  );

  it('when two reasons share a problem, then their challenges are the same (nothing finer leaks)', () => {
    expect(tokenInvalid('unknown_kid').headers).toEqual(tokenInvalid('signature').headers);
  });
});
