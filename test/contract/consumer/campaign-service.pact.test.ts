/**
 * Consumer-driven contract of the campaign service (consumer CampaignService, provider MailService),
 * recreated as its consumer test writes it. The pact lands in test/contract/pacts/.
 */
import { MatchersV3, PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { DEV_SECRET, ROLES_CLAIM } from '../../support/tokens';
import { sendCampaignMail } from './campaign-mail-client';
import { PACT_LOG_LEVEL } from '../../support/pacts';

const { like, regex, string } = MatchersV3;
const MAIL = {
  to_address: 'demo@mailinator.com',
  subject: 'some subject',
  body: 'some mail body\nwith a second line\n',
};

const pact = new PactV3({
  consumer: 'CampaignService',
  provider: 'MailService',
  dir: join(__dirname, '..', 'pacts'),
  spec: SpecificationVersion.SPECIFICATION_VERSION_V3,
  logLevel: PACT_LOG_LEVEL,
});

describe('CampaignService → MailService', () => {
  it('when an authorized admin sends a campaign mail, then send-mail answers 200 with the Message-ID', async () => {
    // A fixed example token, so the pact is the same on every run; the provider re-mints it (request filter).
    const token = await new SignJWT({ [ROLES_CLAIM]: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('campaign-service')
      .setIssuedAt(1767225600)
      .setExpirationTime(1767229200)
      .sign(new TextEncoder().encode(DEV_SECRET));
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
