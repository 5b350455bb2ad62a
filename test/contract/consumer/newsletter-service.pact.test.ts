/**
 * Consumer-driven contract of a newsletter service sending on the broadcast stream (consumer
 * NewsletterService, provider MailService): one send with `"stream": "broadcast"`, by a caller holding the
 * send and broadcast roles. The campaign service's transactional pact stays as it was.
 */
import { MatchersV3 } from '@pact-foundation/pact';
import { exampleToken, JSON_ANSWER_HEADERS, mailServicePact, sendMailPactRequest } from '../../support/pacts';

const { string } = MatchersV3;

const NEWSLETTER = {
  to_address: 'demo@mailinator.com',
  subject: 'Our December news',
  body: 'What happened this month.\n',
  stream: 'broadcast',
};

async function sendNewsletter(baseUrl: string, token: string): Promise<{ status: number; messageId?: string }> {
  const response = await fetch(`${baseUrl}/api/rest/v1/sendmail`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(NEWSLETTER),
  });
  const body = (await response.json()) as { messageId?: string };
  return { status: response.status, ...(body.messageId === undefined ? {} : { messageId: body.messageId }) };
}

const pact = mailServicePact('NewsletterService');

describe('NewsletterService → MailService', () => {
  it('when a caller with the send and broadcast roles sends on the broadcast stream, then send-mail answers 200 with the Message-ID', async () => {
    const token = await exampleToken('newsletter-service', ['admin', 'broadcast']);
    pact
      .given('an authorized user with the admin and broadcast roles exists')
      .uponReceiving('a request to send a newsletter on the broadcast stream')
      .withRequest(sendMailPactRequest(NEWSLETTER, token))
      .willRespondWith({ status: 200, headers: JSON_ANSWER_HEADERS, body: { messageId: string('<a@example.com>') } });

    await pact.executeTest(async (server) => {
      const outcome = await sendNewsletter(server.url, token);
      expect(outcome).toEqual({ status: 200, messageId: expect.any(String) });
    });
  });
});
