/**
 * Consumer-driven contract of the campaign service (consumer CampaignService, provider MailService),
 * recreated as its consumer test writes it. The pact lands in test/contract/pacts/.
 */
import { MatchersV3 } from '@pact-foundation/pact';
import { sendCampaignMail } from './campaign-mail-client';
import { exampleAdminToken, mailServicePact } from '../../support/pacts';

const { like, regex, string } = MatchersV3;
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
      .withRequest({
        method: 'POST',
        path: '/api/rest/v1/sendmail',
        headers: {
          'Content-Type': 'application/json',
          Authorization: regex('^Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+$', `Bearer ${token}`),
        },
        body: MAIL,
      })
      .willRespondWith({
        status: 200,
        headers: { 'Content-Type': regex('^application/json(;.*)?$', 'application/json; charset=utf-8') },
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
      .withRequest({
        method: 'POST',
        path: '/api/rest/v1/sendmail',
        headers: { 'Content-Type': 'application/json' },
        body: MAIL,
      })
      .willRespondWith({
        status: 401,
        headers: { 'Content-Type': regex('^application/json(;.*)?$', 'application/json; charset=utf-8') },
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
