/**
 * Consumer-driven contract of a consumer that uses the send API's optional fields (consumer
 * NotificationService, provider MailService): an HTML mail with Cc and Reply-To, and a sandbox request
 * as it tests its integration in staging. The campaign service's pact stays as it is. The pact lands in
 * test/contract/pacts/.
 */
import { MatchersV3 } from '@pact-foundation/pact';
import { exampleAdminToken, JSON_ANSWER_HEADERS, mailServicePact, sendMailPactRequest } from '../../support/pacts';

const { string } = MatchersV3;
const MAIL = {
  to_address: 'customer@example.com',
  subject: 'Your order has shipped',
  body: 'Your order 4711 has shipped.\n',
  html: '<p>Your order <b>4711</b> has shipped.</p>',
  cc: ['orders@example.com'],
  reply_to: 'support@example.com',
  tags: ['order-shipped'],
  metadata: { orderId: '4711' },
};

const pact = mailServicePact('NotificationService');

/** A fixed example token, so the pact is the same on every run; the provider re-mints it (request filter). */
async function post(baseUrl: string, body: object, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}/api/rest/v1/sendmail`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('NotificationService → MailService', () => {
  it('when it sends an HTML mail with Cc and Reply-To, then send-mail answers 200 with the Message-ID', async () => {
    const token = await exampleAdminToken('notification-service');
    pact
      .given('an authorized user with the admin role exists')
      .uponReceiving('a request to send an HTML mail with cc and reply_to')
      .withRequest(sendMailPactRequest(MAIL, token))
      .willRespondWith({ status: 200, headers: JSON_ANSWER_HEADERS, body: { messageId: string('<a@example.com>') } });

    await pact.executeTest(async (server) => {
      const result = await post(server.url, MAIL, token);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ messageId: expect.any(String) });
    });
  });

  it('when it sends the same mail as a sandbox request, then send-mail answers 200 with sandbox: true', async () => {
    const token = await exampleAdminToken('notification-service');
    const sandbox = { ...MAIL, sandbox: true };
    pact
      .given('an authorized user with the admin role exists')
      .uponReceiving('a sandbox request to send an HTML mail with cc and reply_to')
      .withRequest(sendMailPactRequest(sandbox, token))
      .willRespondWith({
        status: 200,
        headers: JSON_ANSWER_HEADERS,
        body: { messageId: string('<a@example.com>'), sandbox: true },
      });

    await pact.executeTest(async (server) => {
      const result = await post(server.url, sandbox, token);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ messageId: expect.any(String), sandbox: true });
    });
  });
});
