/** Cutting long strings out of a body before JSON.parse: the same value, the content left as a view. */
import { cutLongStrings } from '../../../../../functions/send-mail/http/long-strings';

const parsedWith = (raw: Buffer, threshold: number): { value: unknown; strings: ReadonlyMap<string, Buffer> } => {
  const cut = cutLongStrings(raw, threshold);
  if (cut === undefined) return { value: JSON.parse(raw.toString('utf8')), strings: new Map() };
  return { value: JSON.parse(cut.text), strings: cut.strings };
};

describe('cutLongStrings', () => {
  it('when no string is longer than the threshold, then nothing is cut', () => {
    expect(cutLongStrings(Buffer.from('{"a":"short","b":["x"]}'), 10)).toBeUndefined();
  });

  it('when a string is longer, then it is replaced by a placeholder that names a view of its bytes in the body', () => {
    const content = 'QUJD'.repeat(100);
    const raw = Buffer.from(JSON.stringify({ subject: 'hi', attachments: [{ filename: 'a.txt', content }] }));

    const { value, strings } = parsedWith(raw, 64);

    const placeholder = (value as { attachments: { content: string }[] }).attachments[0]?.content ?? '';
    expect(strings.get(placeholder)?.toString('latin1')).toBe(content);
    expect(strings.get(placeholder)?.buffer).toBe(raw.buffer); // a view, not a copy
    expect(value).toEqual({ subject: 'hi', attachments: [{ filename: 'a.txt', content: placeholder }] });
  });

  it('when a long string holds escapes or a quote is escaped, then it is left to JSON.parse and the rest is found', () => {
    const escaped = `${'a'.repeat(100)}"${'b'.repeat(10)}`;
    const long = 'c'.repeat(100);
    const raw = Buffer.from(JSON.stringify({ first: escaped, second: long }));

    const { value, strings } = parsedWith(raw, 64);

    const second = (value as { second: string }).second;
    expect((value as { first: string }).first).toBe(escaped);
    expect(strings.get(second)?.toString('latin1')).toBe(long);
    expect(strings.size).toBe(1);
  });

  it('when the body is not JSON, then the text handed on fails to parse as the body would', () => {
    const raw = Buffer.from(`{"content":"${'A'.repeat(100)}" "oops"}`);
    const cut = cutLongStrings(raw, 64);
    const parse = (text: string): unknown => JSON.parse(text);

    expect(cut).toBeDefined();
    expect(() => parse(cut?.text ?? '')).toThrow(SyntaxError);
    expect(() => parse(raw.toString('utf8'))).toThrow(SyntaxError);
  });

  it('when a caller writes a placeholder-like string itself, then it names nothing (each body has its own nonce)', () => {
    const raw = Buffer.from(JSON.stringify({ a: 'A'.repeat(100), b: '\u0000guess:0' }));
    const { value, strings } = parsedWith(raw, 64);

    expect(strings.has((value as { b: string }).b)).toBe(false);
  });
});
