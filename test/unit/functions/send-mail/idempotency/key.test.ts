import { idempotencyKeyOf, storeKeyOf } from '../../../../../functions/send-mail/idempotency/key';
import { callerOf } from '../../../../../shared/auth';
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

describe('storeKeyOf', () => {
  it.each([
    { name: 'two subjects', a: { sub: 'a' }, b: { sub: 'b' } },
    { name: 'the same subject from two issuers', a: { iss: 'x', sub: 'a' }, b: { iss: 'y', sub: 'a' } },
  ])('when two tokens carry $name, then the same key has two store keys', ({ a, b }) => {
    expect(storeKeyOf(callerOf(a), 'k')).not.toBe(storeKeyOf(callerOf(b), 'k'));
  });

  it('when a store key is made, then neither the caller nor the key can be read from it', () => {
    const name = storeKeyOf(callerOf({ sub: 'campaign-service' }), 'order-42');
    expect(name).toMatch(/^mailer:idempotency:v1:[0-9a-f]{64}$/);
    expect(name).not.toContain('order-42');
  });
});
