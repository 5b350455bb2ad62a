import { createComposer } from '../../../../../functions/send-mail/smtp/message';

const NO_DKIM = { DKIM_DOMAIN: undefined, DKIM_SELECTOR: undefined, DKIM_PRIVATE_KEY: undefined };
const MAIL = { to: 'to@example.org', subject: 'hello', text: 'body', traceId: 'a3ce929d0e0e4736', sampled: true };

describe('createComposer', () => {
  it("when a mail is composed, then its Message-ID header is the one returned, on the sender's domain, new per mail", async () => {
    const compose = createComposer('mailer@sender.example', NO_DKIM);
    const first = await compose(MAIL);
    const second = await compose(MAIL);
    expect(first.messageId).toMatch(/^<[0-9a-f-]{36}@sender\.example>$/);
    expect(first.raw.toString()).toContain(`Message-ID: ${first.messageId}\r\n`);
    expect(second.messageId).not.toBe(first.messageId);
  });
});
