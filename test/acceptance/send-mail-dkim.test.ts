/**
 * Issue 17 — DKIM: with DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY every mail is signed. The mail
 * received by the real SMTP server is verified by an independent verifier (mailauth), whose DNS lookup
 * hook answers the selector's TXT record with the test key's public half; a tampered copy must fail.
 */
import { dkimVerify } from 'mailauth';
import { validRequest } from '../fixtures/send-mail-requests';
import { testDkim } from '../support/dkim';
import { postJson } from '../support/http-client';
import { useSendMail } from '../support/send-mail-under-test';

const DKIM = testDkim();
const { domain: DOMAIN, selector: SELECTOR, resolver } = DKIM;

const sendMail = useSendMail({
  DKIM_DOMAIN: DOMAIN,
  DKIM_SELECTOR: SELECTOR,
  DKIM_PRIVATE_KEY: DKIM.privateKeyPem,
});

async function verdict(raw: string): Promise<{ result: string; domain?: string; selector?: string }> {
  const { results } = await dkimVerify(Buffer.from(raw), { resolver, strict: true });
  expect(results).toHaveLength(1);
  const [first] = results;
  return { result: first?.status.result ?? 'none', domain: first?.signingDomain, selector: first?.selector };
}

describe('when DKIM is configured', () => {
  it.each([
    { name: 'an old-shape mail', body: validRequest },
    {
      name: 'a mail with html, cc, reply_to and non-ASCII text',
      body: {
        ...validRequest,
        subject: 'Grüße 👋',
        body: 'Grüße aus Köln\n',
        html: '<p>Grüße aus Köln</p>',
        cc: ['cc@example.org'],
        reply_to: 'support@example.com',
      },
    },
    {
      name: 'a mail with an attachment and an inline image (issue 30)',
      body: {
        ...validRequest,
        html: '<p>logo: <img src="cid:logo@example.com"></p>',
        attachments: [
          { filename: 'report.pdf', content: Buffer.alloc(200_000, 7).toString('base64') },
          { filename: 'logo.png', content: Buffer.alloc(3000, 9).toString('base64'), content_id: 'logo@example.com' },
        ],
      },
    },
  ])('then $name arrives signed for the domain and selector, and verifies', async ({ body }) => {
    const answer = await postJson(sendMail.endpoint, body, sendMail.auth);

    expect(answer.status).toBe(200);
    const raw = sendMail.smtp.mails[0]?.raw ?? '';
    expect(raw).toMatch(/^DKIM-Signature: /);
    expect(await verdict(raw)).toEqual({ result: 'pass', domain: DOMAIN, selector: SELECTOR });
  });

  it.each([
    { name: 'a word of its body changed', tamper: (raw: string) => raw.replace('second line', 'other line') },
    { name: 'its Subject changed', tamper: (raw: string) => raw.replace(/^Subject: .*$/m, 'Subject: changed') },
    { name: 'its To header changed', tamper: (raw: string) => raw.replace(/^To: .*$/m, 'To: eve@example.net') },
  ])('then a copy with $name does not verify', async ({ tamper }) => {
    const answer = await postJson(sendMail.endpoint, validRequest, sendMail.auth);

    expect(answer.status).toBe(200);
    const raw = sendMail.smtp.mails[0]?.raw ?? '';
    const tampered = tamper(raw);
    expect(tampered).not.toBe(raw);
    expect((await verdict(tampered)).result).not.toBe('pass');
  });
});
