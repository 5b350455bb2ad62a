import { domainToASCII } from 'node:url';
import { checkAddress, isPlainAscii } from '../../../../shared/addresses';

describe('isPlainAscii', () => {
  it.each([
    { domain: 'example.com', plain: true },
    { domain: 'mail-1.example.co.uk', plain: true },
    { domain: 'ab--cd.example', plain: true },
    { domain: 'Example.com', plain: false },
    { domain: 'xn--nxasmq6b.com', plain: false },
    { domain: 'xn--zz.com', plain: false },
    { domain: 'a.123', plain: false },
    { domain: 'a.0x10', plain: false },
    { domain: 'a.0x', plain: false },
    { domain: 'a.123.', plain: false },
    { domain: '0x7f.1', plain: false },
    { domain: 'bücher.example', plain: false },
  ])('when the domain is $domain, then plain is $plain', ({ domain, plain }) => {
    expect(isPlainAscii(domain)).toBe(plain);
  });

  it('when a domain passes, then domainToASCII returns it unchanged (the shortcut skips nothing it would change)', () => {
    const alphabet = 'abnx0129.-';
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    let passed = 0;
    for (let n = 0; n < 20000; n += 1) {
      const domain = Array.from({ length: 1 + (next() % 12) }, () => alphabet[next() % alphabet.length]).join('');
      if (!isPlainAscii(domain)) continue;
      passed += 1;
      expect(domainToASCII(domain)).toBe(domain);
    }
    expect(passed).toBeGreaterThan(1000);
  });
});

describe('checkAddress', () => {
  it.each([
    { input: 'user@example.com', expected: { ok: true, address: 'user@example.com' } },
    { input: 'user@Example.COM', expected: { ok: true, address: 'user@example.com' } },
    { input: 'user@bücher.example', expected: { ok: true, address: 'user@xn--bcher-kva.example' } },
    { input: 'user@example.0x10', expected: { ok: false, problem: 'address.domain_invalid' } },
    { input: 'user@example.123', expected: { ok: false, problem: 'address.domain_invalid' } },
    { input: 'user@-example.com', expected: { ok: false, problem: 'address.domain_invalid' } },
    { input: 'user@example..com', expected: { ok: false, problem: 'address.domain_invalid' } },
    { input: 'user@localhost', expected: { ok: false, problem: 'address.domain_invalid' } },
  ])('when the address is $input, then the check gives $expected', ({ input, expected }) => {
    expect(checkAddress(input)).toEqual(expected);
  });
});

describe('issue 29: one address, one form (how suppressions are keyed and looked up)', () => {
  const form = (input: string): string | undefined => {
    const check = checkAddress(input);
    return check.ok ? check.address : undefined;
  };

  it.each([
    ['the domain in any case', ['gone@Example.COM', 'gone@example.com', 'gone@EXAMPLE.com']],
    [
      'an IDN domain as written, in capitals or as punycode',
      ['gone@bücher.example', 'gone@BÜCHER.example', 'gone@xn--bcher-kva.example'],
    ],
  ])('when %s, then every spelling has the same form', (_, spellings) => {
    expect(new Set(spellings.map(form)).size).toBe(1);
  });

  it.each([
    ['a local part in another case', 'Gone@example.com', 'gone@example.com'],
    ['a + tag', 'gone+news@example.com', 'gone@example.com'],
    ['a dot in the local part', 'g.one@example.com', 'gone@example.com'],
  ])(
    'when two addresses differ by %s, then they stay two addresses (the local part is compared as sent)',
    (_, one, other) => {
      expect(form(one)).toBeDefined();
      expect(form(one)).not.toBe(form(other));
    },
  );
});
