/**
 * Consumer-driven contract of the campaign service (consumer CampaignService, provider MailService),
 * recreated as its consumer test writes it. The pact lands in test/contract/pacts/.
 */
import { MatchersV3 } from '@pact-foundation/pact';
import { sendCampaignMail } from './campaign-mail-client';
import { exampleAdminToken, JSON_ANSWER_HEADERS, mailServicePact, sendMailPactRequest } from '../../support/pacts';

const { like, string } = MatchersV3;
const MAIL = {
  to_address: 'demo@mailinator.com',
  subject: 'some subject',
  body: 'some mail body\nwith a second line\n',
};

const pact = mailServicePact('CampaignService');

describe('CampaignService → MailService', () => {
  it('when an authorized admin sends a campaign mail, then send-mail answers 200 with the Message-ID', async () => {
    const token = await exampleAdminToken('campaign-service');
    pact
      .given('an authorized user with the admin role exists')
      .uponReceiving('a request to send a campaign mail')
      .withRequest(sendMailPactRequest(MAIL, token))
      .willRespondWith({
        status: 200,
        headers: JSON_ANSWER_HEADERS,
        body: { messageId: string('<a@example.com>') },
      });

    await pact.executeTest(async (server) => {
      const result = await sendCampaignMail(server.url, MAIL, token);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ messageId: expect.any(String) });
    });
  });

  it('when the request has no token, then send-mail answers 401 with the error body', async () => {
    pact
      .uponReceiving('a request to send a campaign mail without a token')
      .withRequest(sendMailPactRequest(MAIL))
      .willRespondWith({
        status: 401,
        headers: JSON_ANSWER_HEADERS,
        body: {
          timestamp: like('2026-11-23T10:00:00.000Z'),
          requestid: like('463ac35c9f6413ad48485a3953bb6124'),
          message: 'auth.token.missing',
          details: [],
        },
      });

    await pact.executeTest(async (server) => {
      const result = await sendCampaignMail(server.url, MAIL);
      expect(result.status).toBe(401);
      expect(result.body).toMatchObject({ message: 'auth.token.missing' });
    });
  });
});
