import { callerOf, idempotencyKeyOf, storeKeyOf } from '../../../../../functions/send-mail/idempotency/key';
import { thrownAppError as thrown } from '../../../../support/thrown';

describe('idempotencyKeyOf', () => {
  it('when no key is sent, then there is none', () => {
    expect(idempotencyKeyOf({ headers: {} })).toBeUndefined();
  });

  it.each([
    { name: 'one character', key: 'a' },
    { name: '255 characters', key: 'k'.repeat(255) },
    { name: 'every printable ASCII character', key: ' !"#$%&\'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~' },
    { name: 'a UUID', key: '3f2b8c1e-7d4a-4e9b-a1c2-0f5e6d7c8b9a' },
  ])('when the key is $name, then it is taken as sent', ({ key }) => {
    expect(idempotencyKeyOf({ headers: { 'idempotency-key': key } })).toBe(key);
  });

  it.each([
    { name: 'empty', key: '' },
    { name: '256 characters', key: 'k'.repeat(256) },
    { name: 'non-ASCII', key: 'café' },
    { name: 'a control character', key: 'a\tb' },
    { name: 'DEL', key: 'a\x7fb' },
  ])('when the key is $name, then it is refused with idempotency.key.invalid', ({ key }) => {
    expect(thrown(() => idempotencyKeyOf({ headers: { 'idempotency-key': key } }))).toMatchObject({
      code: 'idempotency.key.invalid',
      status: 400,
    });
  });

  it('issue 26 finding 4: when two Idempotency-Key headers are joined by Node into one value, then it is refused', () => {
    const request = { headers: { 'idempotency-key': 'a, b' }, headersDistinct: { 'idempotency-key': ['a', 'b'] } };

    expect(thrown(() => idempotencyKeyOf(request))).toMatchObject({ code: 'idempotency.key.invalid', status: 400 });
  });

  it('when one header holds a comma, then it is one key', () => {
    const request = { headers: { 'idempotency-key': 'a, b' }, headersDistinct: { 'idempotency-key': ['a, b'] } };

    expect(idempotencyKeyOf(request)).toBe('a, b');
  });

  it('when the header is repeated, then it is refused', () => {
    expect(thrown(() => idempotencyKeyOf({ headers: { 'idempotency-key': ['a', 'b'] } }))).toMatchObject({
      code: 'idempotency.key.invalid',
    });
  });
});

describe('callerOf', () => {
  it.each([
    { name: 'a subject', a: { sub: 'a' }, b: { sub: 'b' } },
    { name: 'an authorized party', a: { azp: 'a' }, b: { azp: 'b' } },
    { name: 'a client_id', a: { client_id: 'a' }, b: { client_id: 'b' } },
    { name: 'the same subject from two issuers', a: { iss: 'x', sub: 'a' }, b: { iss: 'y', sub: 'a' } },
    { name: 'a subject that equals another caller’s client id', a: { sub: 'a' }, b: { azp: 'a' } },
  ])('when two tokens carry $name, then they are two callers with two store keys', ({ a, b }) => {
    expect(callerOf(a)).not.toBe(callerOf(b));
    expect(storeKeyOf(callerOf(a), 'k')).not.toBe(storeKeyOf(callerOf(b), 'k'));
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

  it('when a store key is made, then neither the caller nor the key can be read from it', () => {
    const name = storeKeyOf(callerOf({ sub: 'campaign-service' }), 'order-42');
    expect(name).toMatch(/^mailer:idempotency:v1:[0-9a-f]{64}$/);
    expect(name).not.toContain('order-42');
  });
});
