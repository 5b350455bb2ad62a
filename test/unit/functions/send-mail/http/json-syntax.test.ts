import { jsonSyntaxErrorOffset } from '../../../../../functions/send-mail/http/json-syntax';

describe('jsonSyntaxErrorOffset', () => {
  it.each([
    { name: 'an empty object', text: '{}' },
    {
      name: 'nested values of every kind',
      text: ' {"a": [1, -0.5e+3, true, false, null, {"b": "x\\u00e9\\n"}], "c": {}} ',
    },
    { name: 'an empty array', text: '[]' },
  ])('when the text is $name, then it is valid', ({ text }) => {
    expect(jsonSyntaxErrorOffset(text)).toBeUndefined();
  });

  it.each([
    { name: 'empty', text: '', offset: 0 },
    { name: 'only spaces', text: '   ', offset: 3 },
    { name: 'cut after a colon', text: '{"to_address":', offset: 14 },
    { name: 'missing a colon', text: '{"a" 1}', offset: 5 },
    { name: 'a trailing comma in an object', text: '{"a":1,}', offset: 7 },
    { name: 'a trailing comma in an array', text: '[1,2,]', offset: 5 },
    { name: 'an unquoted key', text: '{a:1}', offset: 1 },
    { name: 'a misspelt literal', text: '[tru]', offset: 4 },
    { name: 'a fraction without digits', text: '1.', offset: 2 },
    { name: 'a leading zero', text: '01', offset: 1 },
    { name: 'an unterminated string', text: '"abc', offset: 4 },
    { name: 'an unknown escape', text: '"a\\x"', offset: 3 },
    { name: 'a raw control character in a string', text: '{"a":"\u0001"}', offset: 6 },
    { name: 'a second closing brace', text: '{"a":1}}', offset: 7 },
    { name: 'two values without a comma', text: '[1 2]', offset: 3 },
    { name: 'a byte order mark', text: '\uFEFF{}', offset: 0 },
    { name: '30 000 open brackets (no stack overflow)', text: '['.repeat(30_000), offset: 30_000 },
  ])('when the text has $name, then the offset is $offset, and JSON.parse agrees it is invalid', ({ text, offset }) => {
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(jsonSyntaxErrorOffset(text)).toBe(offset);
  });
});
