import { CENSOR, redact } from '../../../../shared/logging/redact';

describe('redact', () => {
  it('when no sensitive key is present, then the same object comes back, not a copy', () => {
    const line = { http: { request: { method: 'POST' }, response: { status_code: 200 } }, url: { path: '/x' } };

    expect(redact(line)).toBe(line);
  });

  const cases = [
    { name: 'at the top', line: { token: 't' }, censored: { token: CENSOR } },
    { name: 'one object down', line: { kafka: { password: 'p' } }, censored: { kafka: { password: CENSOR } } },
    {
      name: 'in the request headers',
      line: { req: { headers: { authorization: 'Bearer a' } } },
      censored: { req: { headers: { authorization: CENSOR } } },
    },
    {
      name: 'a mail body',
      line: { mail: { body: 'text', subject: 's' } },
      censored: { mail: { body: CENSOR, subject: 's' } },
    },
  ];

  it.each(cases)(
    'when a sensitive key sits $name, then the copy censors it and the original is untouched',
    ({ line, censored }) => {
      const before = JSON.stringify(line);

      expect(redact(line)).toEqual(censored);
      expect(JSON.stringify(line)).toBe(before);
    },
  );

  it('when an Error holds a secret, then the copy is still an Error with its message', () => {
    const err = Object.assign(new Error('boom'), { secret: 's' });

    const copy = redact({ err }).err;

    expect(copy).toBeInstanceOf(Error);
    expect(copy).toMatchObject({ message: 'boom', secret: CENSOR });
    expect(err.secret).toBe('s');
  });
});
