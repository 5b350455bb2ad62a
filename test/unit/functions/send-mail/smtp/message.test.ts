import { createComposer, type Composed } from '../../../../../functions/send-mail/smtp/message';
import { createOneClickLinks, createUnsubscribeTokens } from '../../../../../shared/unsubscribe';
import { createVerp } from '../../../../../shared/verp';

const NO_DKIM = { DKIM_DOMAIN: undefined, DKIM_SELECTOR: undefined, DKIM_PRIVATE_KEY: undefined };
const MAIL = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  to: 'to@example.org',
  subject: 'hello',
  text: 'body',
  traceId: 'a3ce929d0e0e4736',
  sampled: true,
};
const VERP = createVerp({
  BOUNCE_DOMAIN: 'bounces.sender.example',
  BOUNCE_LOCAL_PART: 'bounces',
  BOUNCE_VERP_SECRET: 'verp-secret-for-unit-tests-000000000000',
});

/** The whole message, read from its stream. */
async function text(composed: Composed): Promise<string> {
  const { message } = composed;
  if ('bytes' in message) return message.bytes.toString();
  const chunks: Buffer[] = [];
  for await (const chunk of message.stream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('createComposer', () => {
  it("when a mail is composed, then its Message-ID header is the one returned: the mail's id, on the sender's domain", async () => {
    const compose = createComposer('mailer@sender.example', NO_DKIM);
    const first = await compose(MAIL);
    const second = await compose({ ...MAIL, id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' });

    expect(first.messageId).toBe(`<${MAIL.id}@sender.example>`);
    expect(await text(first)).toContain(`Message-ID: ${first.messageId}\r\n`);
    expect(second.messageId).not.toBe(first.messageId);
    expect(first.envelope.from).toBe('mailer@sender.example');
  });

  it("when BOUNCE_DOMAIN is set, then the envelope sender is the mail's VERP address, the From header stays, and the Message-ID is on the bounce domain", async () => {
    const composed = await createComposer('mailer@sender.example', NO_DKIM, VERP)(MAIL);

    expect(composed.envelope.from).toMatch(/^bounces\+[0-9a-f]{48}@bounces\.sender\.example$/);
    expect(VERP?.mailIdOf(composed.envelope.from)).toBe(MAIL.id);
    expect(await text(composed)).toMatch(/^From: mailer@sender\.example\r$/m);
    expect(composed.messageId).toBe(`<${MAIL.id}@bounces.sender.example>`);
  });

  describe('issue 31: one-click unsubscribe', () => {
    const secret = 'unsubscribe-secret-for-unit-tests-0123456789';
    const links = createOneClickLinks({
      UNSUBSCRIBE_BASE_URL: 'https://mail.sender.example',
      UNSUBSCRIBE_SECRET: secret,
    });
    const unfolded = (raw: string) => raw.replace(/\r\n[ \t]+/g, ' ');

    it('when a broadcast mail is composed, then it carries our link for its recipient and caller, and List-Unsubscribe-Post', async () => {
      const composed = await createComposer(
        'mailer@sender.example',
        NO_DKIM,
        undefined,
        links,
      )({
        ...MAIL,
        listUnsubscribe: { caller: '["","sub","campaigns"]' },
      });
      const raw = unfolded(await text(composed));
      const token = /^List-Unsubscribe: <https:\/\/mail\.sender\.example\/unsubscribe\/([\w.-]+)>\r$/m.exec(raw)?.[1];

      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      await expect(createUnsubscribeTokens({ UNSUBSCRIBE_SECRET: secret })?.open(token ?? '')).resolves.toEqual({
        caller: '["","sub","campaigns"]',
        stream: 'broadcast',
        recipient: MAIL.to,
        messageId: composed.messageId,
      });
    });

    it('when the caller brings its own URL, then that URL goes in List-Unsubscribe, with List-Unsubscribe-Post', async () => {
      const own = 'https://campaigns.example/u/1?list=a';
      const raw = await text(
        await createComposer('mailer@sender.example', NO_DKIM)({ ...MAIL, listUnsubscribe: { url: own } }),
      );

      expect(raw).toContain(`List-Unsubscribe: <${own}>\r\n`);
      expect(raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    });

    it('when the mail asks for no unsubscribe, then neither header is there', async () => {
      const raw = await text(await createComposer('mailer@sender.example', NO_DKIM, undefined, links)(MAIL));

      expect(raw).not.toMatch(/^List-Unsubscribe/im);
    });
  });
});
