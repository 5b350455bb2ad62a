import { callerOf } from '../../../../shared/auth';

describe('callerOf', () => {
  it.each([
    { name: 'a subject', a: { sub: 'a' }, b: { sub: 'b' } },
    { name: 'an authorized party', a: { azp: 'a' }, b: { azp: 'b' } },
    { name: 'a client_id', a: { client_id: 'a' }, b: { client_id: 'b' } },
    { name: 'the same subject from two issuers', a: { iss: 'x', sub: 'a' }, b: { iss: 'y', sub: 'a' } },
    { name: 'a subject that equals another caller’s client id', a: { sub: 'a' }, b: { azp: 'a' } },
  ])('when two tokens carry $name, then they are two callers', ({ a, b }) => {
    expect(callerOf(a)).not.toBe(callerOf(b));
  });

  it.each([
    { name: 'numeric subjects', a: { sub: 1001 }, b: { sub: 2002 } },
    { name: 'an array and an object as subject', a: { sub: ['x'] }, b: { sub: { x: 1 } } },
    { name: 'a number and its digits as subject', a: { iss: 'x', sub: 1001 }, b: { iss: 'x', sub: '1001' } },
    { name: 'an empty subject and none', a: { iss: 'x', sub: '' }, b: { iss: 'x' } },
    { name: 'an empty issuer and none', a: { iss: '', sub: 'a' }, b: { sub: 'a' } },
    { name: 'a numeric client id and a string one', a: { client_id: 7 }, b: { client_id: '7' } },
  ])('issue 26 finding 2: when two tokens carry $name, then they are two callers', ({ a, b }) => {
    expect(callerOf(a as never)).not.toBe(callerOf(b as never));
  });

  it('when a token has the usual shape, then its caller is named as before (keys stored earlier stay valid)', () => {
    expect(callerOf({ iss: 'https://idp', sub: 'svc' })).toBe('["https://idp","sub","svc"]');
    expect(callerOf({ sub: 'svc' })).toBe('["","sub","svc"]');
    expect(callerOf({ iss: 'https://idp', azp: 'client' })).toBe('["https://idp","client","client"]');
  });

  it('when a token has a subject and a client, then the subject decides', () => {
    expect(callerOf({ sub: 'a', azp: 'x' })).toBe(callerOf({ sub: 'a', azp: 'y' }));
  });
});
