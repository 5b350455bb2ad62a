import { uriReference } from '../../../../shared/config';

describe('uriReference', () => {
  const parse = (input: string): string => uriReference()._parse(input);

  it.each(['/mailer/send-mail', 'urn:example:mailer', 'https://mailer.example.com/send-mail', 'mailer', '/a%20b'])(
    'when the value is %s, then it is accepted unchanged',
    (input) => {
      expect(parse(input)).toBe(input);
    },
  );

  it.each(['', '/mailer send-mail', '/mailer/<send>', '/mäiler', 'a\\b', '/mailer\n'])(
    'when the value is %j, then it is refused',
    (input) => {
      expect(() => parse(input)).toThrow();
    },
  );
});
