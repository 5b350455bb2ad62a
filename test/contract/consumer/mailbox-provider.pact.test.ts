/**
 * Consumer-driven contract of the one-click unsubscribe link (consumer MailboxProvider, provider
 * RecordsService): what Gmail and Yahoo send when a user clicks Unsubscribe on a broadcast mail (RFC 8058):
 * a POST to the List-Unsubscribe URL with the form body `List-Unsubscribe=One-Click`, no Authorization, and
 * no redirect followed. The link's token comes from the provider state: the provider seals it.
 */
import { MatchersV3, PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { JSON_ANSWER_HEADERS, PACT_LOG_LEVEL, PACTS_DIR } from '../../support/pacts';
import { oneClickUnsubscribe } from './records-client';

const { fromProviderState, like } = MatchersV3;

const EXAMPLE_PATH = '/unsubscribe/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..example.example.example';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

const pact = new PactV3({
  consumer: 'MailboxProvider',
  provider: 'RecordsService',
  dir: PACTS_DIR,
  spec: SpecificationVersion.SPECIFICATION_VERSION_V3,
  logLevel: PACT_LOG_LEVEL,
});

describe('MailboxProvider → RecordsService', () => {
  it('when the user clicks Unsubscribe on a broadcast mail, then the one-click POST without a token of ours in any header answers 200', async () => {
    pact
      .given('campaign-service sent a broadcast mail to reader@example.org')
      .uponReceiving('a one-click unsubscribe POST from a mailbox provider')
      .withRequest({
        method: 'POST',
        path: fromProviderState('${unsubscribePath}', EXAMPLE_PATH),
        headers: FORM,
        body: 'List-Unsubscribe=One-Click',
      })
      .willRespondWith({ status: 200, headers: JSON_ANSWER_HEADERS, body: { unsubscribed: true } });

    await pact.executeTest(async (server) => {
      const answer = await oneClickUnsubscribe(server.url, EXAMPLE_PATH);
      expect(answer).toEqual({ status: 200, body: { unsubscribed: true } });
    });
  });

  it('when the link is not one of ours, then 404 unsubscribe.notfound and the provider may stop retrying', async () => {
    const forged = '/unsubscribe/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..AAAAAAAAAAAAAAAAAAAAAA.AAAA.AAAA';
    pact
      .given('campaign-service sent a broadcast mail to reader@example.org')
      .uponReceiving('a one-click unsubscribe POST with a forged link')
      .withRequest({ method: 'POST', path: forged, headers: FORM, body: 'List-Unsubscribe=One-Click' })
      .willRespondWith({
        status: 404,
        headers: JSON_ANSWER_HEADERS,
        body: {
          timestamp: like('2026-12-07T10:00:00.000Z'),
          requestid: like('463ac35c9f6413ad48485a3953bb6124'),
          message: 'unsubscribe.notfound',
          details: [],
        },
      });

    await pact.executeTest(async (server) => {
      const answer = await oneClickUnsubscribe(server.url, forged);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ message: 'unsubscribe.notfound' });
    });
  });
});
