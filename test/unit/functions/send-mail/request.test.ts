import { parseSendMailRequest } from '../../../../functions/send-mail/request';
import { badRequests, nonUtf8Bodies, validRequest } from '../../../fixtures/send-mail-requests';
import { thrownAppError } from '../../../support/thrown';

describe('parseSendMailRequest', () => {
  it('has at least 40 bad-input cases', () => {
    expect(badRequests.length).toBeGreaterThanOrEqual(40);
  });

  describe.each(badRequests)('when $name', (testCase) => {
    it(`then it is rejected with ${testCase.code}`, () => {
      const error = thrownAppError(() => parseSendMailRequest(Buffer.from(testCase.body, 'utf8')));
      expect(error.code).toBe(testCase.code);
      expect(error.status).toBe(400);
      expect(error.details).toEqual(testCase.problems ?? []);
    });
  });

  it('when the request is valid, then it returns the fields unchanged', () => {
    expect(parseSendMailRequest(Buffer.from(JSON.stringify(validRequest)))).toEqual({
      toAddress: validRequest.to_address,
      subject: validRequest.subject,
      body: validRequest.body,
    });
  });

  it.each([
    { name: 'an IDN domain', to: 'demo@bücher.example', expected: 'demo@xn--bcher-kva.example' },
    { name: 'an upper-case domain', to: 'Demo@MailInator.COM', expected: 'Demo@mailinator.com' },
    { name: 'a plus tag', to: 'demo+tag@mailinator.com', expected: 'demo+tag@mailinator.com' },
    {
      name: 'atext specials',
      to: "o'brien!#$%&*/=?^_`{|}~-@mailinator.com",
      expected: "o'brien!#$%&*/=?^_`{|}~-@mailinator.com",
    },
    {
      name: 'a 64-octet local part',
      to: `${'a'.repeat(64)}@mailinator.com`,
      expected: `${'a'.repeat(64)}@mailinator.com`,
    },
  ])('when to_address has $name, then it is accepted as $expected', ({ to, expected }) => {
    const parsed = parseSendMailRequest(Buffer.from(JSON.stringify({ ...validRequest, to_address: to })));
    expect(parsed.toAddress).toBe(expected);
  });

  it.each([
    { name: 'a subject with spaces around visible text', fields: { subject: '  hi  ' } },
    { name: 'a subject that looks like an encoded word', fields: { subject: '=?UTF-8?Q?hi?=' } },
    { name: 'a 998-character subject', fields: { subject: 's'.repeat(998) } },
    { name: 'a subject with a tab and emoji', fields: { subject: 'hi\tthere 👋' } },
    { name: 'a body with CRLF lines and emoji', fields: { body: 'line 1\r\nline 2 👋\n' } },
  ])('when the request has $name, then it is accepted', ({ fields }) => {
    const parsed = parseSendMailRequest(Buffer.from(JSON.stringify({ ...validRequest, ...fields })));
    expect(parsed).toMatchObject({
      subject: fields.subject ?? validRequest.subject,
      body: fields.body ?? validRequest.body,
    });
  });

  describe('finding 6: input that cannot lie to the recipient', () => {
    it.each(nonUtf8Bodies)(
      'when $name, then it is refused with 415 http.mediatype.unsupported, not decoded with U+FFFD',
      ({ bytes }) => {
        const error = thrownAppError(() => parseSendMailRequest(bytes));
        expect(error.code).toBe('http.mediatype.unsupported');
        expect(error.status).toBe(415);
      },
    );

    it.each(badRequests.filter((testCase) => testCase.problems?.some((problem) => problem.code === 'field.blank')))(
      'when $name, then the blank subject is refused with field.blank instead of being dropped',
      (testCase) => {
        const error = thrownAppError(() => parseSendMailRequest(Buffer.from(testCase.body)));
        expect(error.code).toBe('email.validation.error');
        expect(error.details).toContainEqual({ field: 'subject', code: 'field.blank' });
      },
    );

    it('when the body is valid UTF-8 in every field, then the text arrives as sent', () => {
      const fields = {
        to_address: 'demo@bücher.example',
        subject: 'Grüße 👋 — 日本語',
        body: 'é\u0301 \u{10FFFF} \uFEFF end',
      };
      expect(parseSendMailRequest(Buffer.from(JSON.stringify(fields), 'utf8'))).toEqual({
        toAddress: 'demo@xn--bcher-kva.example',
        subject: fields.subject,
        body: fields.body,
      });
    });
  });
});
