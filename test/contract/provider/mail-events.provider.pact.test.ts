/**
 * Provider side of the message pact: the email.sent.v1 event built by our real event builder and put
 * into its Kafka record by our real binding code, content and metadata (ce_* headers, content-type).
 */
import { MessageProviderPact, providerWithMetadata } from '@pact-foundation/pact';
import { emailSentEvent } from '../../../functions/send-mail/send-mail';
import { toCloudEvent } from '../../../shared/events/cloud-event';
import { toKafkaRecord } from '../../../shared/events/kafka-publisher';
import { version } from '../../../package.json';
import { testConfig } from '../../support/function-under-test';
import { PACT_LOG_LEVEL, pactFilesFor } from '../../support/pacts';

it('when every consumer message pact of MailServiceEvents is checked against our event builder, then all verify', async () => {
  const config = testConfig();
  const event = toCloudEvent(
    emailSentEvent(
      {
        messageId: '<4994b9b3-17f8-752a-dc8f-13cba18520c7@example.com>',
        toAddress: 'demo@mailinator.com',
        subject: 'some subject',
        sentAt: new Date().toISOString(),
      },
      { traceId: '463ac35c9f6413ad48485a3953bb6124', spanId: '00f067aa0ba902b7', sampled: true },
      config,
    ),
  );
  const record = toKafkaRecord(event, 'binary', '463ac35c9f6413ad48485a3953bb6124');
  expect(pactFilesFor('MailServiceEvents').length).toBeGreaterThanOrEqual(1);

  await new MessageProviderPact({
    provider: 'MailServiceEvents',
    providerVersion: process.env.PACT_PROVIDER_VERSION ?? version,
    pactUrls: pactFilesFor('MailServiceEvents'),
    messageProviders: {
      'an email.sent.v1 event': providerWithMetadata(() => JSON.parse(record.value) as unknown, record.headers),
    },
    logLevel: PACT_LOG_LEVEL,
  }).verify();
});
