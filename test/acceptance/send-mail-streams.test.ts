/**
 * Issue 31, message streams: `stream` is transactional unless the request says broadcast, which takes the
 * broadcast role besides the send role (per item in a batch); the stream rides on the email.sent event
 * (received by a real CloudEvents receiver), and the timeline keeps it (recorder.test.ts, records.test.ts).
 */
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { eventually } from '../support/eventually';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { expectErrorBody, postJson } from '../support/http-client';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';

jest.setTimeout(60_000);

let smtp: TestSmtpServer;
let sink: EventReceiver;
let fn: FunctionUnderTest;

beforeAll(async () => {
  [smtp, sink] = await Promise.all([startSmtpServer(), startEventReceiver()]);
  fn = await startFunction(createSendMailApp, {
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    FEATURE_EMAIL_SENT_EVENT: 'true',
    K_SINK: sink.url,
  });
});

afterAll(async () => {
  await fn?.stop();
  await Promise.all([sink?.stop(), smtp?.stop()]);
});

beforeEach(() => {
  smtp.reset();
  sink.reset();
});

const mail = (to: string, stream?: string) => ({
  to_address: to,
  subject: 'news',
  body: 'this month\n',
  ...(stream === undefined ? {} : { stream }),
});
const sender = () => bearer({ roles: ['admin'] });
const broadcaster = () => bearer({ roles: ['admin', 'broadcast'] });
const streamsAtSink = async (count: number): Promise<Record<string, unknown>> => {
  await eventually(
    () => sink.stored().length,
    (stored) => stored >= count,
    { what: `${count} events at the sink`, timeoutMs: 10_000 },
  );
  return Object.fromEntries(
    sink.stored().map(({ event }) => {
      const data = event.data as { toAddress: string; stream?: string };
      return [data.toAddress, data.stream ?? 'absent'];
    }),
  );
};

describe('when a mail names its message stream', () => {
  it('then broadcast without the broadcast role is 403 auth.role.missing and nothing is sent', async () => {
    const answer = await postJson(
      `${fn.url}${SEND_MAIL_PATH}`,
      mail('news@mailinator.com', 'broadcast'),
      await sender(),
    );

    expectErrorBody(answer, 'auth.role.missing');
    expect(smtp.mails).toHaveLength(0);
  });

  it('then broadcast with the role, transactional and no stream each go out, and the event says which (absent when the request did not)', async () => {
    const auth = await broadcaster();
    const answers = await Promise.all([
      postJson(`${fn.url}${SEND_MAIL_PATH}`, mail('b@mailinator.com', 'broadcast'), auth),
      postJson(`${fn.url}${SEND_MAIL_PATH}`, mail('t@mailinator.com', 'transactional'), await sender()),
      postJson(`${fn.url}${SEND_MAIL_PATH}`, mail('n@mailinator.com'), await sender()),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(await streamsAtSink(3)).toEqual({
      'b@mailinator.com': 'broadcast',
      't@mailinator.com': 'transactional',
      'n@mailinator.com': 'absent',
    });
  });

  it('then an unknown stream is 400 email.validation.error', async () => {
    const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, mail('x@mailinator.com', 'marketing'), await sender());

    expectErrorBody(answer, 'email.validation.error');
    expect((answer.body as { details: unknown[] }).details).toEqual([{ field: 'stream', code: 'field.enum' }]);
  });

  it('then in a batch without the broadcast role, each broadcast item alone is refused with auth.role.missing', async () => {
    const answer = await postJson(
      `${fn.url}${SEND_MAIL_BATCH_PATH}`,
      { messages: [mail('one@mailinator.com'), mail('two@mailinator.com', 'broadcast')] },
      await sender(),
    );

    expect((answer.body as { results: unknown[] }).results).toEqual([
      { index: 0, status: 'sent', messageId: expect.any(String) },
      { index: 1, status: 'failed', code: 'auth.role.missing' },
    ]);
    expect(smtp.mails.map((received) => received.to)).toEqual([['one@mailinator.com']]);
  });
});
