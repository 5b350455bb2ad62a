/**
 * Provider verification of send-mail (MailService): the real function in-process, against a real SMTP
 * server, replays every pact in test/contract/pacts/ — or, with PACT_BROKER_BASE_URL set, the pacts from
 * a Pact Broker, publishing the result. The pact's static bearer token is replaced by a freshly minted
 * valid one with the same claims (the standard request filter); state handlers set up each state.
 */
import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import { createSendMailApp } from '../../../functions/send-mail/app';
import { version } from '../../../package.json';
import { startFunction, type FunctionUnderTest } from '../../support/function-under-test';
import { PACT_LOG_LEVEL, pactFilesFor, remintingFilter } from '../../support/pacts';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp-server';
import { devToken, ROLES_CLAIM } from '../../support/tokens';

/** The mail of the campaign pacts' interactions. */
const CAMPAIGN_MAIL = {
  to_address: 'demo@mailinator.com',
  subject: 'some subject',
  body: 'some mail body\nwith a second line\n',
};

let smtp: TestSmtpServer;
let fn: FunctionUnderTest;
/** What the current provider state grants the caller. */
let stateRoles: string[] | undefined;

function source(): Pick<
  VerifierOptions,
  | 'pactUrls'
  | 'pactBrokerUrl'
  | 'pactBrokerToken'
  | 'pactBrokerUsername'
  | 'pactBrokerPassword'
  | 'publishVerificationResult'
  | 'consumerVersionSelectors'
> {
  const broker = process.env.PACT_BROKER_BASE_URL;
  if (!broker) return { pactUrls: pactFilesFor('MailService') };
  return {
    pactBrokerUrl: broker,
    ...(process.env.PACT_BROKER_TOKEN ? { pactBrokerToken: process.env.PACT_BROKER_TOKEN } : {}),
    ...(process.env.PACT_BROKER_USERNAME
      ? {
          pactBrokerUsername: process.env.PACT_BROKER_USERNAME,
          pactBrokerPassword: process.env.PACT_BROKER_PASSWORD ?? '',
        }
      : {}),
    consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }],
    publishVerificationResult: process.env.PACT_PUBLISH_VERIFICATION_RESULTS === 'true',
  };
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  fn = await startFunction(createSendMailApp, { SMTP_URL: smtp.url });
});

afterAll(async () => {
  await fn.stop();
  await smtp.stop();
});

it('when every consumer pact of MailService is replayed against send-mail, then all verify', async () => {
  expect(pactFilesFor('MailService').length).toBeGreaterThanOrEqual(2);

  await new Verifier({
    provider: 'MailService',
    providerBaseUrl: fn.url,
    providerVersion: process.env.PACT_PROVIDER_VERSION ?? version,
    ...source(),
    stateHandlers: {
      'an authorized user with the admin role exists': () => {
        stateRoles = ['admin'];
        return Promise.resolve();
      },
      'an authorized user with the admin and broadcast roles exists': () => {
        stateRoles = ['admin', 'broadcast'];
        return Promise.resolve();
      },
      // The first try of the mail, by the same caller (the pact token's subject) with the same body.
      'a campaign mail was sent with this Idempotency-Key': async (params) => {
        const { key } = params as { key: string };
        const first = await fetch(`${fn.url}/api/rest/v1/sendmail`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${await devToken({ subject: 'campaign-service' })}`,
            'Idempotency-Key': key,
          },
          body: JSON.stringify(CAMPAIGN_MAIL),
        });
        if (first.status !== 200) throw new Error(`the first try answered ${first.status}`);
      },
    },
    // Same claims as the pact's example token, fresh times, signed with the key this provider trusts.
    requestFilter: remintingFilter((claims) => {
      const roles = stateRoles;
      stateRoles = undefined;
      return { claims: { ...claims, ...(roles ? { [ROLES_CLAIM]: roles } : {}) } };
    }),
    logLevel: PACT_LOG_LEVEL,
  }).verifyProvider();

  // Each pact sends one real mail: its first admin interaction that is not a sandbox request (the retry pact's:
  // its first try); the 401, the replay and sandbox requests send none.
  expect(smtp.mails).toHaveLength(pactFilesFor('MailService').length);
});
