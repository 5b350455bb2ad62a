import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emailSentEvents } from '../../../../functions/send-mail/send-mail';
import { sendMailSettings } from '../../../../functions/send-mail/settings';
import { createEventPublisher } from '../../../../shared/events';
import { loadConfig } from '../../../../shared/config';
import { createLogger } from '../../../../shared/logging';
import { createLogSink } from '../../../support/log-sink';

const eventSettings = loadConfig(sendMailSettings, {});

describe('hold', () => {
  it('when a mail has an unknown outcome, then its event is written as one held dead letter and never to the outbox', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'events-'));
    const logs = createLogSink();
    const logger = createLogger({
      service: 'send-mail',
      config: { LOG_FORMAT: 'ecs', LOG_LEVEL: 'info', ENVIRONMENT: 'local' },
      destination: logs.stream,
    });
    const config = { ...eventSettings, FEATURE_EMAIL_SENT_EVENT: true, EVENT_OUTBOX_FILE: join(dir, 'events.jsonl') };
    const publisher = emailSentEvents(createEventPublisher(config, logger), config);

    publisher.hold(
      {
        messageId: '<m1@example.com>',
        toAddress: 'someone@example.com',
        subject: 'hello',
        sentAt: new Date().toISOString(),
      },
      { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', sampled: true },
    );

    const letters = logs.lines().filter((line) => line.message === 'email.sent event not published: dead letter');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.event).toMatchObject({ outcome: 'unknown', code: 'events.publish.held' });
    expect(letters[0]?.cloudevent).toMatchObject({ subject: '<m1@example.com>' });
    await expect(readFile(join(dir, 'events.jsonl'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
