import { canonicalJson, fingerprintOf } from '../../../../../functions/send-mail/idempotency/fingerprint';

const of = (text: string): string => fingerprintOf(Buffer.from(text, 'utf8'));

describe('fingerprintOf', () => {
  it.each([
    { name: 'keys in another order', a: '{"a":1,"b":{"x":1,"y":2}}', b: '{"b":{"y":2,"x":1},"a":1}' },
    { name: 'whitespace between tokens', a: '{"a":[1,2]}', b: ' {\n  "a" : [ 1 , 2 ]\n}\n' },
    { name: 'an escape for a plain character', a: '{"a":"é"}', b: '{"a":"\\u00e9"}' },
    { name: 'the same number written twice', a: '{"a":1.0}', b: '{"a":1}' },
  ])('when two bodies differ only by $name, then their fingerprints are equal', ({ a, b }) => {
    expect(of(a)).toBe(of(b));
  });

  it.each([
    { name: 'another value', a: '{"a":"x"}', b: '{"a":"y"}' },
    { name: 'array items in another order', a: '{"a":[1,2]}', b: '{"a":[2,1]}' },
    { name: 'a string instead of a number', a: '{"a":1}', b: '{"a":"1"}' },
    { name: 'one more field', a: '{"a":1}', b: '{"a":1,"b":null}' },
    { name: 'bytes that are no JSON', a: '{"a":1', b: '{"a":1 ' },
  ])('when two bodies differ by $name, then their fingerprints differ', ({ a, b }) => {
    expect(of(a)).not.toBe(of(b));
  });

  it('when a body is not UTF-8, then its bytes are the fingerprint', () => {
    expect(fingerprintOf(Buffer.from([0xff, 0xfe]))).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf(Buffer.from([0xff, 0xfe]))).not.toBe(fingerprintOf(Buffer.from([0xff, 0xfd])));
  });
});

describe('canonicalJson', () => {
  it('when a nested value is written, then keys are sorted at every level and nothing else is added', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[{"c":2,"d":1}]}');
  });
});
