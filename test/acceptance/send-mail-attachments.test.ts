/**
 * Issue 30, attachments: files and inline images through a real SMTP server, read back by mailparser as a
 * mail client would: byte-identical (SHA-256), nested as multipart/mixed → alternative → related, non-ASCII
 * names intact; refused extensions and one byte over the limit never reach the SMTP server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { validRequest } from '../fixtures/send-mail-requests';
import { expectErrorBody, postJson } from '../support/http-client';
import { useSendMail } from '../support/send-mail-under-test';

jest.setTimeout(60_000);

const sendMail = useSendMail();
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(4096)]);

describe('when a mail carries attachments', () => {
  it('then a 9 MiB binary and an inline PNG arrive byte-identical, nested mixed → alternative → related', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(9 * 1024 * 1024)]);
    const answer = await postJson(
      sendMail.endpoint,
      {
        ...validRequest,
        html: '<p>Your invoice, and our logo: <img src="cid:logo@example.com"></p>',
        attachments: [
          { filename: 'invoice-42.pdf', content: pdf.toString('base64'), content_type: 'application/pdf' },
          { filename: 'logo.png', content: PNG.toString('base64'), content_id: 'logo@example.com' },
        ],
      },
      sendMail.auth,
    );

    expect(answer.status).toBe(200);
    const raw = sendMail.smtp.mails[0]?.raw ?? '';
    const parsed = await simpleParser(raw);
    const byName = new Map(parsed.attachments.map((attachment) => [attachment.filename, attachment]));
    expect(sha256(byName.get('invoice-42.pdf')?.content ?? Buffer.alloc(0))).toBe(sha256(pdf));
    expect(sha256(byName.get('logo.png')?.content ?? Buffer.alloc(0))).toBe(sha256(PNG));
    expect(byName.get('logo.png')).toMatchObject({
      contentType: 'image/png',
      contentDisposition: 'inline',
      cid: 'logo@example.com',
    });
    expect(byName.get('invoice-42.pdf')).toMatchObject({
      contentType: 'application/pdf',
      contentDisposition: 'attachment',
    });
    // The nesting, in the order the boundaries open.
    const types = [...raw.matchAll(/^Content-Type: (multipart\/[a-z]+)/gm)].map((match) => match[1]);
    expect(types).toEqual(['multipart/mixed', 'multipart/alternative', 'multipart/related']);
    expect(parsed.text).toBe(validRequest.body);
  });

  it('then a non-ASCII file name round-trips, and a missing content type is taken from the extension', async () => {
    const answer = await postJson(
      sendMail.endpoint,
      {
        ...validRequest,
        attachments: [
          { filename: 'Übersicht März 2026 – 東京.csv', content: Buffer.from('a,b\n1,2\n').toString('base64') },
        ],
      },
      sendMail.auth,
    );

    expect(answer.status).toBe(200);
    const parsed = await simpleParser(sendMail.smtp.mails[0]?.raw ?? '');
    expect(parsed.attachments.map((attachment) => [attachment.filename, attachment.contentType])).toEqual([
      ['Übersicht März 2026 – 東京.csv', 'text/csv'],
    ]);
  });
});

describe('when attachments are refused', () => {
  it.each([
    { name: 'an executable', filename: 'setup.EXE', code: 'attachment.extension_refused' },
    { name: 'a script', filename: 'run.js', code: 'attachment.extension_refused' },
    { name: 'a path', filename: '../etc/passwd', code: 'attachment.path' },
  ])(
    'when one is $name, then 400 email.validation.error ($code) and no SMTP transaction',
    async ({ filename, code }) => {
      const answer = await postJson(
        sendMail.endpoint,
        { ...validRequest, attachments: [{ filename, content: 'aGVsbG8=' }] },
        sendMail.auth,
      );

      expect(answer.status).toBe(400);
      expectErrorBody(answer, 'email.validation.error');
      expect(answer.body).toMatchObject({ details: [{ field: 'attachments/0/filename', code }] });
      expect(sendMail.smtp.recipientsSeen).toEqual([]);
    },
  );

  it('when the content is no base64, then 400 naming it', async () => {
    const answer = await postJson(
      sendMail.endpoint,
      { ...validRequest, attachments: [{ filename: 'a.txt', content: 'not base64!' }] },
      sendMail.auth,
    );

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ details: [{ field: 'attachments/0/content', code: 'attachment.base64' }] });
  });

  it('when the attachments decode to one byte over MAX_ATTACHMENT_BYTES, then 413 email.attachment.toolarge before any SMTP connection', async () => {
    const connections = sendMail.smtp.connections();
    const half = 5 * 1024 * 1024;
    const answer = await postJson(
      sendMail.endpoint,
      {
        ...validRequest,
        attachments: [
          { filename: 'a.bin', content: Buffer.alloc(half).toString('base64') },
          { filename: 'b.bin', content: Buffer.alloc(half + 1).toString('base64') },
        ],
      },
      sendMail.auth,
    );

    expect(answer.status).toBe(413);
    expectErrorBody(answer, 'email.attachment.toolarge');
    expect(sendMail.smtp.connections()).toBe(connections);
    expect(sendMail.smtp.mails).toEqual([]);
  });
});

describe('when the larger limit is used for something else', () => {
  it('when the mail body without attachments is over MAX_BODY_BYTES, then 413 http.body.toolarge as before', async () => {
    const answer = await postJson(sendMail.endpoint, { ...validRequest, body: 'x'.repeat(70_000) }, sendMail.auth);

    expect(answer.status).toBe(413);
    expectErrorBody(answer, 'http.body.toolarge');
    expect(sendMail.smtp.mails).toEqual([]);
  });
});
