/**
 * Provider verification of records (RecordsService): the real function in-process against a real
 * PostgreSQL (a throwaway Debian cluster, migrated by the tool) as a member of mailer_records, its events to
 * a real CloudEvents sink. Each provider state writes the rows it names; tokens are re-minted with the
 * pact's claims.
 */
import { Verifier } from '@pact-foundation/pact';
import { version } from '../../../package.json';
import { createRecordsApp } from '../../../functions/records/app';
import { recordsSettings } from '../../../functions/records/settings';
import { callerOf } from '../../../shared/auth';
import { loadConfig } from '../../../shared/config';
import type { Database } from '../../../shared/db';
import { launch, type RunningFunction } from '../../../shared/launcher';
import { createUnsubscribeTokens } from '../../../shared/unsubscribe';
import { startEventReceiver, type EventReceiver } from '../../support/event-receiver';
import { createLogSink } from '../../support/log-sink';
import { PACT_LOG_LEVEL, pactFilesFor, remintingFilter } from '../../support/pacts';
import { startMigratedPostgres, type TestPostgres } from '../../support/postgres';
import { PACT_MESSAGE_ID, PACT_SUPPRESSED } from '../consumer/records-client';

jest.setTimeout(120_000);

let postgres: TestPostgres;
let db: Database;
let sink: EventReceiver;
let records: RunningFunction;

beforeAll(async () => {
  postgres = await startMigratedPostgres({ pact_records: 'mailer_records' });
  db = await postgres.connect();
  sink = await startEventReceiver();
  const config = {
    ...loadConfig(recordsSettings, {
      ENVIRONMENT: 'local',
      LOG_FORMAT: 'ecs',
      DATABASE_URL: postgres.urlFor('pact_records'),
      K_SINK: sink.url,
    }),
    PORT: 0,
  };
  records = await launch(createRecordsApp(config, createLogSink().stream), config, '127.0.0.1');
  tokens = createUnsubscribeTokens(config);
});

let tokens: ReturnType<typeof createUnsubscribeTokens>;

afterAll(async () => {
  await records?.shutdown();
  await sink?.stop();
  await db?.close();
  await postgres?.stop();
});

const empty = async (): Promise<void> => {
  await db.query('TRUNCATE mail, mail_event, suppression');
};

it('when the CampaignService, MailerAdminConsole and MailboxProvider pacts are replayed against records, then they verify, and each change made causes its event', async () => {
  expect(pactFilesFor('RecordsService')).toHaveLength(3);

  await new Verifier({
    provider: 'RecordsService',
    providerBaseUrl: records.url,
    providerVersion: process.env.PACT_PROVIDER_VERSION ?? version,
    pactUrls: pactFilesFor('RecordsService'),
    stateHandlers: {
      'campaign-service sent a mail that hard-bounced': async () => {
        await empty();
        await db.query(
          "INSERT INTO mail (message_id, email_sent_id, caller, recipients, sent_at) VALUES ($1, '0f8fad5b-d9cb-469f-a165-70867728950e', $2, $3, '2026-12-07T10:00:00Z')",
          [PACT_MESSAGE_ID, callerOf({ sub: 'campaign-service' }), [PACT_SUPPRESSED]],
        );
        await db.query(
          `INSERT INTO mail_event (source, event_id, message_id, type, recipient, classification, reason, status, occurred_at, data) VALUES
            ('/mailer/send-mail', '0f8fad5b-d9cb-469f-a165-70867728950e', $1, 'email.sent', NULL, NULL, NULL, NULL, '2026-12-07T10:00:00Z', '{}'),
            ('/mailer/feedback', '9b6c92fb-7b35-8ab3-a1c2-0f4e5d6c7b8a', $1, 'email.bounced', $2, 'hard', 'user_unknown', '5.1.1', '2026-12-07T10:05:00Z', '{}')`,
          [PACT_MESSAGE_ID, PACT_SUPPRESSED],
        );
      },
      'no mail is recorded': empty,
      'no address is suppressed': empty,
      // The link send-mail would have put in the mail: sealed with records' own key.
      'campaign-service sent a broadcast mail to reader@example.org': async () => {
        await empty();
        const token = await tokens?.seal({
          caller: callerOf({ sub: 'campaign-service' }),
          stream: 'broadcast',
          recipient: 'reader@example.org',
          messageId: PACT_MESSAGE_ID,
        });
        return { unsubscribePath: `/unsubscribe/${token ?? 'no-secret'}` };
      },
      'gone@example.org is suppressed for a hard bounce': async () => {
        await empty();
        await db.query(
          "INSERT INTO suppression (address, reason, event_id) VALUES ($1, 'hard_bounce', '9b6c92fb-7b35-8ab3-a1c2-0f4e5d6c7b8a')",
          [PACT_SUPPRESSED],
        );
      },
    },
    requestFilter: remintingFilter(),
    logLevel: PACT_LOG_LEVEL,
  }).verifyProvider();

  expect(
    sink
      .stored()
      .map(({ event }) => (event.data as { change?: string }).change ?? event.type.replace(/^.*\.email\./, 'email.'))
      .sort(),
  ).toEqual(['added', 'email.unsubscribed.v1', 'removed']);
});
