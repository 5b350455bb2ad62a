import { requireRole } from '../../../../shared/auth/roles';
import { thrownAppError } from '../../../support/thrown';

const CLAIM = 'https://github.com/StephanHCB/go-campaign-service/roles';

describe('requireRole', () => {
  it('when the roles list holds the role, then it passes', () => {
    expect(() => requireRole({ [CLAIM]: ['reader', 'admin'] }, CLAIM, 'admin')).not.toThrow();
  });

  it.each([
    { name: 'no roles claim', claims: {} },
    { name: 'a string instead of a list', claims: { [CLAIM]: 'admin' } },
    { name: 'a list with a non-string', claims: { [CLAIM]: ['admin', 1] } },
    { name: 'an object', claims: { [CLAIM]: { admin: true } } },
    { name: 'a list without the role', claims: { [CLAIM]: ['reader'] } },
    { name: 'the role under another claim', claims: { roles: ['admin'] } },
    { name: 'a role differing in case', claims: { [CLAIM]: ['Admin'] } },
  ])('when the claims have $name, then it is 403 auth.role.missing', ({ claims }) => {
    expect(thrownAppError(() => requireRole(claims, CLAIM, 'admin'))).toMatchObject({
      code: 'auth.role.missing',
      status: 403,
    });
  });
});
