/**
 * The campaign service's retrying client (consumer CampaignServiceRetry, provider MailService): a retry
 * of a mail that already went out carries the same Idempotency-Key and gets the stored answer, marked
 * Idempotent-Replayed, with nothing sent again. Its own pact, so the campaign service's existing pact
 * verifies unchanged.
 */
import { MatchersV3 } from '@pact-foundation/pact';
import { exampleAdminToken, JSON_ANSWER_HEADERS, mailServicePact, sendMailPactRequest } from '../../support/pacts';
import { sendCampaignMail } from './campaign-mail-client';

const { string } = MatchersV3;
const MAIL = {
  to_address: 'demo@mailinator.com',
  subject: 'some subject',
  body: 'some mail body\nwith a second line\n',
};
const RETRY_KEY = 'campaign-42-recipient-1337';

const pact = mailServicePact('CampaignServiceRetry');

describe('CampaignServiceRetry → MailService', () => {
  it('when a mail already sent is retried with its Idempotency-Key, then send-mail replays the 200 with the Message-ID', async () => {
    const token = await exampleAdminToken('campaign-service');
    pact
      .given('an authorized user with the admin role exists')
      .given('a campaign mail was sent with this Idempotency-Key', { key: RETRY_KEY })
      .uponReceiving('a retry of a campaign mail that was sent')
      .withRequest(sendMailPactRequest(MAIL, token, { 'Idempotency-Key': RETRY_KEY }))
      .willRespondWith({
        status: 200,
        headers: {
          ...JSON_ANSWER_HEADERS,
          'Idempotent-Replayed': 'true',
        },
        body: { messageId: string('<a@example.com>') },
      });

    await pact.executeTest(async (server) => {
      const result = await sendCampaignMail(server.url, MAIL, token, RETRY_KEY);
      expect(result).toEqual({ status: 200, body: { messageId: expect.any(String) }, replayed: true });
    });
  });
});
