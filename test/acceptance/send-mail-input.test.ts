/**
 * Issue 13, finding 6 — input that cannot lie to the recipient: send-mail in-process behind our launcher,
 * against a real SMTP server, with the received mail read back by mailparser as a mail client would.
 */
import { simpleParser } from 'mailparser';
import { nonUtf8Bodies, validRequest } from '../fixtures/send-mail-requests';
import { useSendMail } from '../support/send-mail-under-test';
import { expectErrorBody, postJson, request } from '../support/http-client';

const sendMail = useSendMail();

describe('finding 6: a body that is not UTF-8', () => {
  it.each(nonUtf8Bodies)(
    'when $name, then the answer is 415 http.mediatype.unsupported and no mail is sent',
    async ({ bytes }) => {
      const answer = await request(sendMail.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8', ...sendMail.auth },
        body: bytes,
      });

      expect(answer.status).toBe(415);
      expectErrorBody(answer, 'http.mediatype.unsupported');
      expect(sendMail.smtp.recipientsSeen).toEqual([]);
      expect(sendMail.smtp.mails).toEqual([]);
    },
  );
});

describe('finding 6: a whitespace-only subject', () => {
  it.each([
    { name: 'empty', subject: '' },
    { name: 'spaces', subject: '   ' },
    { name: 'a tab', subject: '\t' },
  ])(
    'when the subject is $name, then the answer is 400 field.blank and no mail without Subject is sent',
    async ({ subject }) => {
      const answer = await postJson(sendMail.endpoint, { ...validRequest, subject }, sendMail.auth);

      expect(answer.status).toBe(400);
      expectErrorBody(answer, 'email.validation.error');
      expect((answer.body as { details: unknown }).details).toEqual([{ field: 'subject', code: 'field.blank' }]);
      expect(sendMail.smtp.mails).toEqual([]);
    },
  );
});

// Needs delivery.ts to hand headerSubject(subject) to nodemailer.
describe('finding 6: the recipient sees exactly the submitted subject', () => {
  it.each([
    { name: 'a Q encoded word hiding CRLF and a Bcc line', subject: '=?UTF-8?Q?hi=0D=0ABcc:_victim@example.com?=' },
    {
      name: 'a B encoded word hiding CRLF and a Bcc line',
      subject: `=?UTF-8?B?${Buffer.from('hi\r\nBcc: victim@example.com').toString('base64')}?=`,
    },
    { name: 'an encoded word between plain words', subject: 'Invoice =?UTF-8?Q?=E2=82=AC?=100 due' },
    { name: '998 characters without spaces', subject: 's'.repeat(998) },
    { name: '998 emoji', subject: '😀'.repeat(998) },
    { name: 'spaces around the text', subject: '  hi  ' },
  ])(
    'when the subject is $name, then the mail has no line over 998 octets and shows exactly that subject',
    async ({ subject }) => {
      const answer = await postJson(sendMail.endpoint, { ...validRequest, subject }, sendMail.auth);

      expect(answer.status).toBe(200);
      expect(sendMail.smtp.mails).toHaveLength(1);
      const raw = sendMail.smtp.mails[0]?.raw ?? '';
      const longest = Math.max(...raw.split('\r\n').map((line) => Buffer.byteLength(line, 'utf8')));
      expect(longest).toBeLessThanOrEqual(998);
      const parsed = await simpleParser(raw);
      expect(parsed.subject).toBe(subject);
      expect(parsed.headers.has('bcc')).toBe(false);
    },
  );
});
