/**
 * Consumer-driven contract of the campaign service's batch sends (consumer CampaignServiceBatch, provider
 * MailService): one POST /api/rest/v1/sendmail/batch, and what it reads from each item's result. The
 * campaign service's single-send pact (CampaignService) stays as it was.
 */
import { MatchersV3 } from '@pact-foundation/pact';
import { exampleAdminToken, JSON_ANSWER_HEADERS, mailServicePact, sendMailPactRequest } from '../../support/pacts';

const { string } = MatchersV3;
const BATCH_PATH = '/api/rest/v1/sendmail/batch';

/** One mail the provider sends, and one it refuses on its own (no recipient address): the batch is still 200. */
const BATCH = {
  messages: [
    { to_address: 'demo@mailinator.com', subject: 'some subject', body: 'some mail body\n' },
    { to_address: 'not-an-address', subject: 'some subject', body: 'some mail body\n' },
  ],
};

interface ItemResult {
  readonly index: number;
  readonly status: string;
  readonly code?: string;
  readonly messageId?: string;
}

/** The campaign service's call: which items went out, and which to fix (never retried blindly). */
async function sendCampaignBatch(baseUrl: string, token: string): Promise<{ sent: number[]; refused: number[] }> {
  const response = await fetch(`${baseUrl}${BATCH_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(BATCH),
  });
  const { results } = (await response.json()) as { results: ItemResult[] };
  return {
    sent: results.filter((result) => result.status === 'sent').map((result) => result.index),
    refused: results.filter((result) => result.status === 'failed').map((result) => result.index),
  };
}

const pact = mailServicePact('CampaignServiceBatch');

describe('CampaignServiceBatch → MailService', () => {
  it('when an authorized admin sends a batch with one bad item, then 200 with one result per item: sent, and failed with its code', async () => {
    const token = await exampleAdminToken('campaign-service');
    pact
      .given('an authorized user with the admin role exists')
      .uponReceiving('a batch of campaign mails, one of them invalid')
      .withRequest(sendMailPactRequest(BATCH, token, {}, BATCH_PATH))
      .willRespondWith({
        status: 200,
        headers: JSON_ANSWER_HEADERS,
        body: {
          results: [
            { index: 0, status: 'sent', messageId: string('<a@example.com>') },
            {
              index: 1,
              status: 'failed',
              code: 'email.validation.error',
              details: [{ field: 'to_address', code: string('address.syntax') }],
            },
          ],
        },
      });

    await pact.executeTest(async (server) => {
      const outcome = await sendCampaignBatch(server.url, token);
      expect(outcome).toEqual({ sent: [0], refused: [1] });
    });
  });
});
