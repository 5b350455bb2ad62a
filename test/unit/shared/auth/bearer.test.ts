import { bearerToken } from '../../../../shared/auth/bearer';
import type { AuthError } from '../../../../shared/auth';
import { thrownAppError } from '../../../support/thrown';

describe('bearerToken', () => {
  it.each([
    { name: 'a plain bearer token', header: 'Bearer abc.def.ghi', token: 'abc.def.ghi' },
    { name: 'a lower-case scheme', header: 'bearer abc.def.ghi', token: 'abc.def.ghi' },
    { name: 'extra spaces', header: 'Bearer   abc.def.ghi ', token: 'abc.def.ghi' },
  ])('when the header is $name, then the token is returned', ({ header, token }) => {
    expect(bearerToken(header, 100)).toBe(token);
  });

  it.each([
    { name: 'missing', header: undefined, code: 'auth.token.missing', reason: 'missing', details: [] },
    { name: 'empty', header: '', code: 'auth.token.missing', reason: 'missing', details: [] },
    {
      name: 'Basic',
      header: 'Basic dXNlcjpwYXNz',
      code: 'auth.token.missing',
      reason: 'missing',
      details: [{ field: 'authorization', code: 'scheme.unsupported' }],
    },
    {
      name: 'a scheme that starts like Bearer',
      header: 'Bearerx abc',
      code: 'auth.token.missing',
      reason: 'missing',
      details: [{ field: 'authorization', code: 'scheme.unsupported' }],
    },
    {
      name: 'a raw token without Bearer',
      header: 'eyJh.eyJz.c2ln',
      code: 'auth.token.missing',
      reason: 'missing',
      details: [{ field: 'authorization', code: 'scheme.missing' }],
    },
    {
      name: 'Bearer with no token',
      header: 'Bearer',
      code: 'auth.token.invalid',
      reason: 'malformed',
      details: [{ field: 'authorization', code: 'token.malformed' }],
    },
    {
      name: 'Bearer with a blank token',
      header: 'Bearer   ',
      code: 'auth.token.invalid',
      reason: 'malformed',
      details: [{ field: 'authorization', code: 'token.malformed' }],
    },
    {
      name: 'two tokens',
      header: 'Bearer a.b.c d.e.f',
      code: 'auth.token.invalid',
      reason: 'malformed',
      details: [{ field: 'authorization', code: 'token.malformed' }],
    },
    {
      name: 'a token with a comma',
      header: 'Bearer a.b.c,d',
      code: 'auth.token.invalid',
      reason: 'malformed',
      details: [{ field: 'authorization', code: 'token.malformed' }],
    },
    {
      name: 'two Authorization headers',
      header: ['Bearer a.b.c', 'Bearer d.e.f'],
      code: 'auth.token.invalid',
      reason: 'malformed',
      details: [{ field: 'authorization', code: 'token.malformed' }],
    },
    {
      name: 'longer than the limit',
      header: `Bearer ${'a'.repeat(101)}`,
      code: 'auth.token.invalid',
      reason: 'too_large',
      details: [{ field: 'authorization', code: 'token.malformed' }],
    },
  ])('when the header is $name, then it is $code ($reason) with its details', ({ header, code, reason, details }) => {
    const error = thrownAppError(() => bearerToken(header, 100)) as AuthError;

    expect(error.code).toBe(code);
    expect(error.reason).toBe(reason);
    expect(error.status).toBe(401);
    expect(error.details).toEqual(details);
  });

  it.each([
    { name: 'no header', header: undefined },
    { name: 'a Basic header', header: 'Basic dXNlcjpwYXNz' },
    { name: 'a raw token', header: 'eyJh.eyJz.c2ln' },
  ])('when the header is $name, then the challenge carries no error code (RFC 6750 §3.1)', ({ header }) => {
    const error = thrownAppError(() => bearerToken(header, 100));

    expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="mailer"');
  });
});
