/**
 * Issue 17 — the send API's optional fields, against the real SMTP server: the HTML alternative, Cc, Bcc
 * (on the envelope only), Reply-To, several recipients with one truthful answer, tags and metadata (log
 * line, never the mail) and the sandbox (no SMTP session at all). The received mail is read back by
 * mailparser as a mail client would.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { fullRequest, validRequest } from '../fixtures/send-mail-requests';
import { expectErrorBody, postJson } from '../support/http-client';
import { useSendMail } from '../support/send-mail-under-test';

const sendMail = useSendMail();

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((object) =>
    object.value.map((entry) => entry.address ?? ''),
  );

describe('when a mail with html, cc, bcc and reply_to is posted', () => {
  it('then it arrives as multipart/alternative, the envelope holds every recipient, Cc and Reply-To are right and no Bcc is in it', async () => {
    const answer = await postJson(sendMail.endpoint, fullRequest, sendMail.auth);

    expect(answer.status).toBe(200);
    expect(sendMail.smtp.mails).toHaveLength(1);
    const [mail] = sendMail.smtp.mails;
    expect(mail?.to).toEqual([validRequest.to_address, ...fullRequest.cc, ...fullRequest.bcc]);
    const raw = mail?.raw ?? '';
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    const parsed = await simpleParser(raw);
    expect(answer.body).toEqual({ messageId: parsed.messageId });
    expect(parsed.text).toBe(validRequest.body);
    expect(parsed.html).toBe(fullRequest.html);
    expect(addresses(parsed.to)).toEqual([validRequest.to_address]);
    expect(addresses(parsed.cc)).toEqual(fullRequest.cc);
    expect(addresses(parsed.replyTo)).toEqual([fullRequest.reply_to]);
    expect(parsed.headers.has('bcc')).toBe(false);
    // Not in any header, part or line of the message: only on the envelope.
    expect(raw).not.toMatch(/^bcc:/im);
    for (const hidden of fullRequest.bcc) expect(raw).not.toContain(hidden);
    expect(parsed.attachments).toHaveLength(0);
  });

  it('then its tags and metadata are on the log line and nowhere in the mail', async () => {
    const answer = await postJson(sendMail.endpoint, fullRequest, sendMail.auth);

    expect(answer.status).toBe(200);
    const raw = sendMail.smtp.mails[0]?.raw ?? '';
    for (const value of [...fullRequest.tags, ...Object.values(fullRequest.metadata), 'campaignId'])
      expect(raw).not.toContain(value);
    const line = sendMail.fn.logs
      .lines()
      .find(
        (entry) =>
          entry.message === `POST ${SEND_MAIL_PATH} 200` &&
          (entry.email as { message_id?: string }).message_id === (answer.body as { messageId: string }).messageId,
      );
    expect(line?.email).toMatchObject({
      tags: fullRequest.tags,
      metadata: fullRequest.metadata,
      cc_count: 2,
      bcc_count: 2,
    });
    // Addresses in the log are masked, Bcc ones are not there at all.
    for (const hidden of fullRequest.bcc) expect(JSON.stringify(line)).not.toContain(hidden);
  });

  it('then HTML pointing at local files and remote URLs is sent as text, nothing is read or fetched', async () => {
    const html = '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><a href="cid:x">x</a>';
    const answer = await postJson(sendMail.endpoint, { ...validRequest, html }, sendMail.auth);

    expect(answer.status).toBe(200);
    const parsed = await simpleParser(sendMail.smtp.mails[0]?.raw ?? '');
    expect(parsed.html).toBe(html);
    expect(parsed.attachments).toHaveLength(0);
    expect(sendMail.smtp.mails[0]?.raw).not.toMatch(/root:/);
  });
});

describe('when the SMTP server refuses some recipients', () => {
  it('permanently, then the answer is 200 with who got the mail and who did not, and the others received it', async () => {
    sendMail.smtp.rejectPermanently.add('cc-two@example.org');
    sendMail.smtp.rejectPermanently.add('hidden-one@example.net');

    const answer = await postJson(sendMail.endpoint, fullRequest, sendMail.auth);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      messageId: expect.any(String),
      accepted: [validRequest.to_address, 'cc-one@example.com', 'hidden-two@example.net'],
      rejected: [
        { address: 'cc-two@example.org', replyCode: 550 },
        { address: 'hidden-one@example.net', replyCode: 550 },
      ],
    });
    expect(sendMail.smtp.mails).toHaveLength(1);
    expect(sendMail.smtp.mails[0]?.to).toEqual([
      validRequest.to_address,
      'cc-one@example.com',
      'hidden-two@example.net',
    ]);
  });

  it('temporarily (451), then the answer is 200 and names the reply code, so the caller can retry that one', async () => {
    sendMail.smtp.rejectTemporarily.add('cc-one@example.com');

    const answer = await postJson(sendMail.endpoint, { ...validRequest, cc: ['cc-one@example.com'] }, sendMail.auth);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      accepted: [validRequest.to_address],
      rejected: [{ address: 'cc-one@example.com', replyCode: 451 }],
    });
  });

  it('all of them permanently, then the answer is 400 email.recipient.rejected and no mail is sent', async () => {
    for (const address of [validRequest.to_address, 'cc-one@example.com', 'hidden-one@example.net'])
      sendMail.smtp.rejectPermanently.add(address);

    const answer = await postJson(
      sendMail.endpoint,
      { ...validRequest, cc: ['cc-one@example.com'], bcc: ['hidden-one@example.net'] },
      sendMail.auth,
    );

    expect(answer.status).toBe(400);
    expectErrorBody(answer, 'email.recipient.rejected');
    expect(sendMail.smtp.recipientsSeen).toHaveLength(3);
    expect(sendMail.smtp.mails).toEqual([]);
  });
});

describe('when a sandbox request is posted', () => {
  it('then the answer is 200 with a Message-ID and sandbox: true, and no SMTP session is opened', async () => {
    const before = sendMail.smtp.connections();

    const answer = await postJson(sendMail.endpoint, { ...fullRequest, sandbox: true }, sendMail.auth);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ messageId: expect.stringMatching(/^<.+@.+>$/), sandbox: true });
    expect(sendMail.smtp.connections()).toBe(before);
    expect(sendMail.smtp.recipientsSeen).toEqual([]);
    expect(sendMail.smtp.mails).toEqual([]);
  });

  it('then a bad request is refused just the same', async () => {
    const answer = await postJson(
      sendMail.endpoint,
      { ...validRequest, cc: ['x@localhost'], sandbox: true },
      sendMail.auth,
    );

    expect(answer.status).toBe(400);
    expectErrorBody(answer, 'email.validation.error');
    expect((answer.body as { details: unknown }).details).toEqual([{ field: 'cc/0', code: 'address.domain_invalid' }]);
  });
});

describe('when the first request an instance ever gets is a sandbox request', () => {
  const fresh = useSendMail();

  it('then not a single SMTP session was opened', async () => {
    const answer = await postJson(fresh.endpoint, { ...fullRequest, sandbox: true }, fresh.auth);

    expect(answer.status).toBe(200);
    expect(fresh.smtp.connections()).toBe(0);
  });
});

describe('when MAX_RECIPIENTS is 3', () => {
  const limited = useSendMail({ MAX_RECIPIENTS: '3' });

  it.each([
    { name: 'three recipients', cc: ['a@example.com'], bcc: ['b@example.com'], status: 200 },
    { name: 'four recipients', cc: ['a@example.com', 'c@example.com'], bcc: ['b@example.com'], status: 400 },
  ])('then a mail to $name answers $status', async ({ cc, bcc, status }) => {
    const answer = await postJson(limited.endpoint, { ...validRequest, cc, bcc }, limited.auth);

    expect(answer.status).toBe(status);
    if (status === 400)
      expect((answer.body as { details: unknown }).details).toEqual([
        { field: 'recipients', code: 'recipients.too_many' },
      ]);
    expect(limited.smtp.mails).toHaveLength(status === 200 ? 1 : 0);
  });
});
