/**
 * Consumer-driven contracts of the records API (provider RecordsService): the campaign service reads the
 * timeline of a mail it sent (consumer CampaignService); the mailer's admin console manages the suppression
 * list (consumer MailerAdminConsole). Tokens are matched by shape; the provider re-mints them.
 */
import { MatchersV3, PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { exampleToken, JSON_ANSWER_HEADERS, PACT_LOG_LEVEL, PACTS_DIR } from '../../support/pacts';
import {
  listSuppressions,
  lookUpSuppression,
  mailTimeline,
  PACT_MESSAGE_ID,
  PACT_SUPPRESSED,
  reactivate,
  suppress,
} from './records-client';

const { eachLike, like, regex, string } = MatchersV3;
const BEARER = (token: string) => regex('^Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+$', `Bearer ${token}`);
const TIME = regex('^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$', '2026-12-07T10:05:00.000Z');

const recordsPact = (consumer: string): PactV3 =>
  new PactV3({
    consumer,
    provider: 'RecordsService',
    dir: PACTS_DIR,
    spec: SpecificationVersion.SPECIFICATION_VERSION_V3,
    logLevel: PACT_LOG_LEVEL,
  });

const errorBody = (code: string) => ({
  timestamp: like('2026-12-07T10:00:00.000Z'),
  requestid: like('463ac35c9f6413ad48485a3953bb6124'),
  message: code,
  details: [],
});

describe('CampaignService → RecordsService', () => {
  const pact = recordsPact('CampaignService');

  it('when the campaign service asks about a mail it sent that bounced, then it gets the timeline: sent, then bounced', async () => {
    const token = await exampleToken('campaign-service', ['admin']);
    pact
      .given('campaign-service sent a mail that hard-bounced')
      .uponReceiving('a request for the timeline of a mail it sent')
      .withRequest({
        method: 'GET',
        path: `/api/rest/v1/emails/${encodeURIComponent(PACT_MESSAGE_ID)}`,
        headers: { Authorization: BEARER(token) },
      })
      .willRespondWith({
        status: 200,
        headers: JSON_ANSWER_HEADERS,
        body: {
          messageId: PACT_MESSAGE_ID,
          sentAt: TIME,
          recipients: eachLike('gone@example.org'),
          events: [
            { type: 'email.sent', eventId: string('0f8fad5b-d9cb-469f-a165-70867728950e'), occurredAt: TIME },
            {
              type: 'email.bounced',
              eventId: string('9b6c92fb-7b35-8ab3-a1c2-0f4e5d6c7b8a'),
              occurredAt: TIME,
              recipient: 'gone@example.org',
              classification: 'hard',
              reason: string('user_unknown'),
              status: string('5.1.1'),
            },
          ],
        },
      });

    await pact.executeTest(async (server) => {
      const answer = await mailTimeline(server.url, PACT_MESSAGE_ID, token);
      expect(answer.status).toBe(200);
      expect((answer.body as { events: { type: string }[] }).events.map((event) => event.type)).toEqual([
        'email.sent',
        'email.bounced',
      ]);
    });
  });

  it('when the campaign service asks about a mail it does not know, then 404 timeline.notfound', async () => {
    const token = await exampleToken('campaign-service', ['admin']);
    pact
      .given('no mail is recorded')
      .uponReceiving('a request for the timeline of an unknown mail')
      .withRequest({
        method: 'GET',
        path: `/api/rest/v1/emails/${encodeURIComponent('<unknown@bounces.example.com>')}`,
        headers: { Authorization: BEARER(token) },
      })
      .willRespondWith({ status: 404, headers: JSON_ANSWER_HEADERS, body: errorBody('timeline.notfound') });

    await pact.executeTest(async (server) => {
      const answer = await mailTimeline(server.url, '<unknown@bounces.example.com>', token);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ message: 'timeline.notfound' });
    });
  });
});

describe('MailerAdminConsole → RecordsService', () => {
  const pact = recordsPact('MailerAdminConsole');
  const suppression = (reason: string) => ({ address: PACT_SUPPRESSED, reason, createdAt: TIME });

  it('when an admin suppresses an address by hand, then 201 with reason manual and the change event id', async () => {
    const token = await exampleToken('admin-console', ['mailer-admin']);
    pact
      .given('no address is suppressed')
      .uponReceiving('a request to suppress an address by hand')
      .withRequest({
        method: 'PUT',
        path: `/api/rest/v1/suppressions/${encodeURIComponent(PACT_SUPPRESSED)}`,
        headers: { Authorization: BEARER(token) },
      })
      .willRespondWith({
        status: 201,
        headers: JSON_ANSWER_HEADERS,
        body: { ...suppression('manual'), changeEventId: string('7d444840-9dc0-11d1-b245-5ffdce74fad2') },
      });

    await pact.executeTest(async (server) => {
      const answer = await suppress(server.url, PACT_SUPPRESSED, token);
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ address: PACT_SUPPRESSED, reason: 'manual' });
    });
  });

  it('when an admin looks up an address that hard-bounced, then 200 with its reason', async () => {
    const token = await exampleToken('admin-console', ['mailer-admin']);
    pact
      .given('gone@example.org is suppressed for a hard bounce')
      .uponReceiving('a request to look up a suppressed address')
      .withRequest({
        method: 'GET',
        path: `/api/rest/v1/suppressions/${encodeURIComponent(PACT_SUPPRESSED)}`,
        headers: { Authorization: BEARER(token) },
      })
      .willRespondWith({
        status: 200,
        headers: JSON_ANSWER_HEADERS,
        body: { ...suppression('hard_bounce'), eventId: string('9b6c92fb-7b35-8ab3-a1c2-0f4e5d6c7b8a') },
      });

    await pact.executeTest(async (server) => {
      const answer = await lookUpSuppression(server.url, PACT_SUPPRESSED, token);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ reason: 'hard_bounce' });
    });
  });

  it('when an admin lists the hard bounces, then one page of them', async () => {
    const token = await exampleToken('admin-console', ['mailer-admin']);
    pact
      .given('gone@example.org is suppressed for a hard bounce')
      .uponReceiving('a request to list the hard bounces')
      .withRequest({
        method: 'GET',
        path: '/api/rest/v1/suppressions',
        query: { reason: 'hard_bounce', limit: '50' },
        headers: { Authorization: BEARER(token) },
      })
      .willRespondWith({
        status: 200,
        headers: JSON_ANSWER_HEADERS,
        body: {
          items: eachLike({ ...suppression('hard_bounce'), eventId: string('9b6c92fb-7b35-8ab3-a1c2-0f4e5d6c7b8a') }),
        },
      });

    await pact.executeTest(async (server) => {
      const answer = await listSuppressions(server.url, 'reason=hard_bounce&limit=50', token);
      expect(answer.status).toBe(200);
      expect((answer.body as { items: unknown[] }).items.length).toBeGreaterThan(0);
    });
  });

  it('when an admin reactivates a suppressed address, then 200 with the change event id', async () => {
    const token = await exampleToken('admin-console', ['mailer-admin']);
    pact
      .given('gone@example.org is suppressed for a hard bounce')
      .uponReceiving('a request to reactivate a suppressed address')
      .withRequest({
        method: 'DELETE',
        path: `/api/rest/v1/suppressions/${encodeURIComponent(PACT_SUPPRESSED)}`,
        headers: { Authorization: BEARER(token) },
      })
      .willRespondWith({
        status: 200,
        headers: JSON_ANSWER_HEADERS,
        body: { address: PACT_SUPPRESSED, changeEventId: string('7d444840-9dc0-11d1-b245-5ffdce74fad2') },
      });

    await pact.executeTest(async (server) => {
      const answer = await reactivate(server.url, PACT_SUPPRESSED, token);
      expect(answer.status).toBe(200);
    });
  });

  it('when a token with only the send role asks, then 403 auth.role.missing: the list takes its own role', async () => {
    const token = await exampleToken('campaign-service', ['admin']);
    pact
      .uponReceiving('a request to look up a suppression with the send role only')
      .withRequest({
        method: 'GET',
        path: `/api/rest/v1/suppressions/${encodeURIComponent(PACT_SUPPRESSED)}`,
        headers: { Authorization: BEARER(token) },
      })
      .willRespondWith({ status: 403, headers: { ...JSON_ANSWER_HEADERS }, body: errorBody('auth.role.missing') });

    await pact.executeTest(async (server) => {
      const answer = await lookUpSuppression(server.url, PACT_SUPPRESSED, token);
      expect(answer.status).toBe(403);
    });
  });
});
