/**
 * A downstream consumer of the email.sent.v1 CloudEvent (MailEventsConsumer) states what it needs from
 * the Kafka record: the binding's ce_* headers and content-type as metadata, and the data, by type.
 */
import { MatchersV3, MessageConsumerPact, asynchronousBodyHandler } from '@pact-foundation/pact';
import { join } from 'node:path';
import { PACT_LOG_LEVEL } from '../../support/pacts';

const { like, regex, datetime } = MatchersV3;

const messagePact = new MessageConsumerPact({
  consumer: 'MailEventsConsumer',
  provider: 'MailServiceEvents',
  dir: join(__dirname, '..', 'pacts'),
  logLevel: PACT_LOG_LEVEL,
});

interface EmailSent {
  readonly messageId: string;
  readonly toAddress: string;
  readonly subject: string;
  readonly sentAt: string;
}

/** The consumer's own handler: what it does with the data of one event. */
function countDelivery(data: EmailSent): Promise<string> {
  if (!data.messageId || !data.toAddress.includes('@') || Number.isNaN(Date.parse(data.sentAt)))
    return Promise.reject(new Error('not an email.sent event'));
  return Promise.resolve(data.messageId);
}

describe('MailEventsConsumer ← MailServiceEvents', () => {
  it('when an email.sent.v1 event arrives, then the consumer can decode and use it', () =>
    messagePact
      .expectsToReceive('an email.sent.v1 event')
      .withContent({
        messageId: like('<4994b9b3-17f8-752a-dc8f-13cba18520c7@example.com>'),
        toAddress: like('demo@mailinator.com'),
        subject: like('some subject'),
        sentAt: datetime("yyyy-MM-dd'T'HH:mm:ss.SSSX", '2026-11-23T10:00:00.000Z'),
      })
      .withMetadata({
        'content-type': 'application/json',
        ce_specversion: '1.0',
        ce_type: regex('^[\\w.-]+\\.email\\.sent\\.v1$', 'com.example.mailer.email.sent.v1'),
        ce_source: like('/mailer/send-mail'),
        ce_id: regex(
          '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
          '9b0c4f7e-2b1d-4c3a-8e5f-6a7b8c9d0e1f',
        ),
        ce_time: like('2026-11-23T10:00:00.000Z'),
        ce_subject: like('<4994b9b3-17f8-752a-dc8f-13cba18520c7@example.com>'),
        ce_partitionkey: like('demo@mailinator.com'),
      })
      .verify(
        asynchronousBodyHandler(async (body) => {
          const data = body as unknown as EmailSent;
          expect(await countDelivery(data)).toBe(data.messageId);
        }),
      ));
});
