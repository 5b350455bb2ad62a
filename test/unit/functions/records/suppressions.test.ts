import { addressOf, DEFAULT_PAGE, listQueryOf, scopeOf } from '../../../../functions/records/suppressions';
import { messageIdOf } from '../../../../functions/records/timeline';
import { thrownAppError } from '../../../support/thrown';

describe('listQueryOf', () => {
  it('when no parameter is given, then one page of the default size, no filter', () => {
    expect(listQueryOf(new URLSearchParams())).toEqual({ limit: DEFAULT_PAGE });
  });

  it('when every parameter is right, then each is read', () => {
    const cursor = Buffer.from(JSON.stringify(['2026-12-07 10:00:00.123456+00', '42'])).toString('base64url');
    const query = listQueryOf(
      new URLSearchParams({
        reason: 'complaint',
        address: 'A@Example.ORG',
        since: '2026-12-01T00:00:00Z',
        limit: '10',
        cursor,
      }),
    );

    expect(query).toEqual({
      reason: 'complaint',
      address: 'A@example.org',
      since: new Date('2026-12-01T00:00:00Z'),
      limit: 10,
      after: { createdAt: '2026-12-07 10:00:00.123456+00', id: '42' },
    });
  });

  it.each([
    { name: 'a limit of 0', query: 'limit=0', field: 'limit' },
    { name: 'a limit over 200', query: 'limit=201', field: 'limit' },
    { name: 'a limit that is no number', query: 'limit=ten', field: 'limit' },
    {
      name: 'a cursor of someone else',
      query: `cursor=${Buffer.from('["x; DROP TABLE",1]').toString('base64url')}`,
      field: 'cursor',
    },
    { name: 'an unknown reason', query: 'reason=soft_bounce', field: 'reason' },
    { name: 'an address that is none', query: 'address=a@b@c', field: 'address' },
    {
      name: 'a cursor of the old layout (an address, not an id)',
      query: `cursor=${Buffer.from('["2026-12-07 10:00:00+00","a@example.org"]').toString('base64url')}`,
      field: 'cursor',
    },
  ])('when it has $name, then suppression.query.invalid naming $field', ({ query, field }) => {
    const err = thrownAppError(() => listQueryOf(new URLSearchParams(query)));

    expect(err).toMatchObject({ code: 'suppression.query.invalid', status: 400 });
    expect(err.details.map((detail) => detail.field)).toEqual([field]);
  });
});

describe('scopeOf', () => {
  it('when no scope is named, or stream=all, then every mail', () => {
    expect([scopeOf(undefined), scopeOf(new URLSearchParams('stream=all'))]).toEqual([
      { stream: 'all' },
      { stream: 'all' },
    ]);
  });

  it('when stream=broadcast names a caller, then that caller’s broadcast stream', () => {
    expect(scopeOf(new URLSearchParams({ stream: 'broadcast', caller: '["","sub","a"]' }))).toEqual({
      stream: 'broadcast',
      caller: '["","sub","a"]',
    });
  });

  it.each([
    { name: 'broadcast without a caller', query: 'stream=broadcast', field: 'caller' },
    { name: 'a caller without broadcast', query: 'caller=x', field: 'caller' },
    { name: 'an unknown stream', query: 'stream=transactional', field: 'stream' },
  ])('when it is $name, then suppression.query.invalid naming $field', ({ query, field }) => {
    const err = thrownAppError(() => scopeOf(new URLSearchParams(query)));

    expect(err).toMatchObject({ code: 'suppression.query.invalid', status: 400 });
    expect(err.details.map((detail) => detail.field)).toEqual([field]);
  });
});

describe('addressOf', () => {
  it('when the domain is in Unicode and another case, then the address is in its one form', () => {
    expect(addressOf('User@Bücher.Example')).toBe('User@xn--bcher-kva.example');
  });

  it('when it is no mail address, then suppression.address.invalid', () => {
    expect(thrownAppError(() => addressOf('a@b@c'))).toMatchObject({
      code: 'suppression.address.invalid',
      status: 400,
    });
  });
});

describe('messageIdOf', () => {
  it('when the id comes without its angle brackets, then they are added; with them, it is kept', () => {
    expect([messageIdOf('a@x'), messageIdOf('<a@x>')]).toEqual(['<a@x>', '<a@x>']);
  });
});
