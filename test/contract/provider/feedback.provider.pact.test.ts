/**
 * Provider verification of feedback (FeedbackService): the real function in-process, its events to a real
 * CloudEvents sink, replays the InboundMTA pact (or the broker's, as mail-service.provider does). The pact's
 * token is re-minted with the same claims, or, in the state where no client is known, signed with a key
 * this provider does not trust.
 */
import { Verifier } from '@pact-foundation/pact';
import { version } from '../../../package.json';
import { startEventReceiver, type EventReceiver } from '../../support/event-receiver';
import { startFeedback, type FunctionUnderTest } from '../../support/function-under-test';
import { FEEDBACK_PACT_VERP, PACT_LOG_LEVEL, pactFilesFor, remintingFilter } from '../../support/pacts';

let sink: EventReceiver;
let fn: FunctionUnderTest;
let refused = false;

beforeAll(async () => {
  sink = await startEventReceiver();
  fn = await startFeedback({ ...FEEDBACK_PACT_VERP.settings, K_SINK: sink.url });
});

afterAll(async () => {
  await fn.stop();
  await sink.stop();
});

it('when the InboundMTA pact is replayed against feedback, then it verifies, and the bounce it pipes causes its event', async () => {
  expect(pactFilesFor('FeedbackService')).toHaveLength(1);

  await new Verifier({
    provider: 'FeedbackService',
    providerBaseUrl: fn.url,
    providerVersion: process.env.PACT_PROVIDER_VERSION ?? version,
    pactUrls: pactFilesFor('FeedbackService'),
    stateHandlers: {
      'the MTA has a client with the feedback role': () => {
        refused = false;
        return Promise.resolve();
      },
      'no client is known for this token': () => {
        refused = true;
        return Promise.resolve();
      },
    },
    // In the state where no client is known, the token is signed with a key this provider does not trust.
    requestFilter: remintingFilter((claims) => ({
      claims,
      ...(refused ? { secret: 'a-key-this-provider-does-not-trust-000000' } : {}),
    })),
    logLevel: PACT_LOG_LEVEL,
  }).verifyProvider();

  expect(sink.stored().map(({ event }) => event.type)).toEqual(['com.example.mailer.email.bounced.v1']);
});
