/**
 * Issue 29, end to end with real peers: send-mail relays through Debian's Postfix, which refuses
 * `bad.test` for good and sends its own DSN through its pipe to feedback. send-mail's and feedback's events
 * go straight to the recorder (as a SinkBinding to its Service would), which writes them to a real
 * PostgreSQL. Then the next send to that address is refused before any SMTP transaction, and the records
 * API shows the mail's timeline: sent, then bounced. All of it holds again after every process (Postfix,
 * PostgreSQL and the functions) has been restarted.
 */
import { createFeedbackApp } from '../../functions/feedback/app';
import { FEEDBACK_PATH } from '../../functions/feedback/identity';
import { feedbackSettings } from '../../functions/feedback/settings';
import { createRecorderApp } from '../../functions/recorder/app';
import { recorderSettings } from '../../functions/recorder/settings';
import { createRecordsApp } from '../../functions/records/app';
import { recordsSettings } from '../../functions/records/settings';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { sendMailSettings } from '../../functions/send-mail/settings';
import { loadConfig, type FunctionSettings, type Specs } from '../../shared/config';
import type { FunctionApp } from '../../shared/http';
import { launch, type RunningFunction } from '../../shared/launcher';
import { validRequest } from '../fixtures/send-mail-requests';
import { eventually } from '../support/eventually';
import { postJson, request, type Answer } from '../support/http-client';
import { createLogSink } from '../support/log-sink';
import { startPostfix, type Postfix } from '../support/postfix';
import { startMigratedPostgres, type TestPostgres } from '../support/postgres';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer, devToken } from '../support/tokens';

jest.setTimeout(120_000);

const VERP = { BOUNCE_DOMAIN: 'bounces.test', BOUNCE_VERP_SECRET: 'timeline-test-verp-secret-0123456789abcd' };

let postgres: TestPostgres;
let smtp: TestSmtpServer;

interface Running {
  readonly postfix: Postfix;
  readonly recorder: RunningFunction;
  readonly feedback: RunningFunction;
  readonly sendMail: RunningFunction;
  readonly records: RunningFunction;
}
let running: Running | undefined;

async function start<S extends Specs>(
  settings: FunctionSettings<S>,
  create: (config: never, logs: never) => FunctionApp,
  env: Record<string, string>,
): Promise<RunningFunction> {
  const config = { ...loadConfig(settings, { ENVIRONMENT: 'local', LOG_FORMAT: 'ecs', ...env }), PORT: 0 };
  return launch(
    create(config as never, createLogSink().stream as never),
    config as unknown as Parameters<typeof launch>[1],
    '127.0.0.1',
  );
}

/** Every process of the loop, each as its own database role. */
async function startAll(): Promise<Running> {
  const recorder = await start(recorderSettings, createRecorderApp, { DATABASE_URL: postgres.urlFor('loop_recorder') });
  const feedback = await start(feedbackSettings, createFeedbackApp, { ...VERP, K_SINK: recorder.url });
  const postfix = await startPostfix({
    sinkPort: Number(new URL(smtp.url).port),
    bounceDomain: VERP.BOUNCE_DOMAIN,
    feedbackUrl: `${feedback.url}${FEEDBACK_PATH}`,
    token: await devToken({ roles: ['feedback'], ttlSeconds: 3600 }),
  });
  const sendMail = await start(sendMailSettings, createSendMailApp, {
    ...VERP,
    SMTP_URL: `smtp://127.0.0.1:${postfix.port}`,
    MAIL_FROM: 'mailer@example.com',
    FEATURE_EMAIL_SENT_EVENT: 'true',
    K_SINK: recorder.url,
    DATABASE_URL: postgres.urlFor('loop_send_mail'),
    SUPPRESSION_CHECK: 'required',
  });
  const records = await start(recordsSettings, createRecordsApp, { DATABASE_URL: postgres.urlFor('loop_records') });
  return { postfix, recorder, feedback, sendMail, records };
}

async function stopAll(): Promise<void> {
  if (!running) return;
  await running.sendMail.shutdown();
  await running.postfix.stop();
  await running.feedback.shutdown();
  await running.recorder.shutdown();
  await running.records.shutdown();
  running = undefined;
}

beforeAll(async () => {
  postgres = await startMigratedPostgres({
    loop_recorder: 'mailer_recorder',
    loop_send_mail: 'mailer_send_mail',
    loop_records: 'mailer_records',
  });
  smtp = await startSmtpServer();
  running = await startAll();
});

afterAll(async () => {
  await stopAll();
  await smtp?.stop();
  await postgres?.stop();
});

const loop = (): Running => {
  if (!running) throw new TypeError('the loop is not running');
  return running;
};
const send = async (to: string): Promise<Answer> =>
  postJson(`${loop().sendMail.url}${SEND_MAIL_PATH}`, { ...validRequest, to_address: to }, await bearer());
const timeline = async (messageId: string): Promise<Answer> =>
  request(`${loop().records.url}/api/rest/v1/emails/${encodeURIComponent(messageId)}`, { headers: await bearer() });
const types = (answer: Answer): string[] =>
  ((answer.body as { events?: { type: string }[] }).events ?? []).map((event) => event.type);

it('when a mail hard-bounces at Postfix, then the recorder suppresses its recipient, the next send gets 422 with no SMTP transaction, and the timeline shows sent then bounced; after every process restarts, all of it still holds', async () => {
  // 1. Send to an address Postfix refuses for good.
  const first = await send('gone@bad.test');
  expect(first.status).toBe(200);
  const { messageId } = first.body as { messageId: string };

  // 2–3. Postfix's DSN comes back through feedback; the recorder writes the bounce and the suppression.
  const bounced = await eventually(
    () => timeline(messageId),
    (answer) => answer.status === 200 && types(answer).includes('email.bounced'),
    { what: 'the bounce on the timeline', timeoutMs: 45_000 },
  );

  // 5. The timeline: sent, then bounced, with the recipient, status and reason.
  expect(types(bounced)).toEqual(['email.sent', 'email.bounced']);
  expect((bounced.body as { events: unknown[] }).events[1]).toMatchObject({
    recipient: 'gone@bad.test',
    classification: 'hard',
    reason: 'user_unknown',
    status: '5.1.1',
  });

  // 4. The next send is refused before any SMTP transaction: Postfix logs no new connection from send-mail.
  const connectionsBefore = (
    loop()
      .postfix.log()
      .match(/smtpd\[\d+\]: connect from/g) ?? []
  ).length;
  expect(connectionsBefore).toBeGreaterThan(0);
  const second = await send('gone@bad.test');
  expect(second.status).toBe(422);
  expect((second.body as { message: string }).message).toBe('email.recipient.suppressed');
  expect(
    (
      loop()
        .postfix.log()
        .match(/smtpd\[\d+\]: connect from/g) ?? []
    ).length,
  ).toBe(connectionsBefore);

  // 6. Every process restarts: Postfix, PostgreSQL and each function.
  await stopAll();
  await postgres.down();
  await postgres.up();
  running = await startAll();

  const again = await timeline(messageId);
  expect(again.status).toBe(200);
  expect(again.body).toEqual(bounced.body);
  const third = await send('gone@bad.test');
  expect(third.status).toBe(422);
  expect((third.body as { message: string }).message).toBe('email.recipient.suppressed');
  // And an address that never bounced still goes out through the restarted loop.
  expect((await send('fine@good.test')).status).toBe(200);
});
