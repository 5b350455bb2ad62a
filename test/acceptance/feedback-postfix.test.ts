/**
 * Issue 28, end to end with a real MTA: send-mail relays through Debian's Postfix (a private instance on a
 * loopback port); Postfix refuses `bad.test` permanently and defers `slow.test`, writes the DSNs itself and
 * delivers them, through its `pipe` transport and scripts/feedback-pipe.sh, to the feedback function. The
 * events of both functions reach one real CloudEvents sink: the bounce must name the mail send-mail answered
 * for, by its Message-ID and its email.sent event's id. A forged DSN through the same MTA causes no event.
 */
import { createTransport } from 'nodemailer';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { FEEDBACK_PATH } from '../../functions/feedback/identity';
import { createVerp } from '../../shared/verp';
import { validRequest } from '../fixtures/send-mail-requests';
import { dsnReport } from '../fixtures/feedback-reports';
import { eventually } from '../support/eventually';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { startFeedback, startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { postJson } from '../support/http-client';
import { startPostfix, type Postfix } from '../support/postfix';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer, devToken } from '../support/tokens';

jest.setTimeout(90_000);

const BOUNCE_DOMAIN = 'bounces.test';
const SECRET = 'postfix-test-verp-secret-0123456789abcdef';
const verpSettings = { BOUNCE_DOMAIN, BOUNCE_VERP_SECRET: SECRET };

let sink: EventReceiver;
let smtp: TestSmtpServer;
let feedback: FunctionUnderTest;
let sendMail: FunctionUnderTest;
let postfix: Postfix;

beforeAll(async () => {
  sink = await startEventReceiver();
  smtp = await startSmtpServer();
  feedback = await startFeedback({ ...verpSettings, K_SINK: sink.url });
  postfix = await startPostfix({
    sinkPort: Number(new URL(smtp.url).port),
    bounceDomain: BOUNCE_DOMAIN,
    feedbackUrl: `${feedback.url}${FEEDBACK_PATH}`,
    token: await devToken({ roles: ['feedback'], ttlSeconds: 3600 }),
    delayWarning: '1s',
  });
  sendMail = await startFunction(createSendMailApp, {
    ...verpSettings,
    SMTP_URL: `smtp://127.0.0.1:${postfix.port}`,
    MAIL_FROM: 'mailer@example.com',
    FEATURE_EMAIL_SENT_EVENT: 'true',
    K_SINK: sink.url,
  });
});

afterAll(async () => {
  await sendMail?.stop();
  await postfix?.stop();
  await feedback?.stop();
  await smtp?.stop();
  await sink?.stop();
});

async function send(to: string): Promise<{ messageId: string; emailSentId: string }> {
  const answer = await postJson(
    `${sendMail.url}${SEND_MAIL_PATH}`,
    { ...validRequest, to_address: to },
    await bearer(),
  );
  expect(answer.status).toBe(200);
  const { messageId } = answer.body as { messageId: string };
  const sent = await eventually(
    () => sink.stored().find(({ event }) => event.type.endsWith('.email.sent.v1') && event.subject === messageId),
    Boolean,
    { what: `the email.sent event of ${messageId}` },
  );
  return { messageId, emailSentId: sent?.event.id ?? '' };
}

const feedbackEvent = (type: string, recipient: string) => () =>
  sink
    .stored()
    .find(
      ({ event }) =>
        event.type.endsWith(`.${type}.v1`) && (event.data as { recipient?: string }).recipient === recipient,
    );

it('when Postfix refuses a recipient for good, then its own DSN reaches feedback through the pipe, and the email.bounced event names the mail send-mail answered for', async () => {
  const mail = await send('gone@bad.test');

  const bounced = await eventually(feedbackEvent('email.bounced', 'gone@bad.test'), Boolean, {
    what: 'the email.bounced event',
    timeoutMs: 30_000,
  });
  expect(bounced?.event).toMatchObject({
    subject: mail.messageId,
    partitionkey: 'gone@bad.test',
    data: {
      messageId: mail.messageId,
      emailSentId: mail.emailSentId,
      classification: 'hard',
      reason: 'user_unknown',
      status: '5.1.1',
      reportKind: 'dsn',
    },
  });
  // The event is stored while the pipe's answer is on its way back: Postfix logs the delivery just after.
  await eventually(
    () => postfix.log(),
    (log) => /relay=feedback, .*status=sent \(delivered via feedback service\)/.test(log),
    { what: "Postfix's log line for the pipe's delivery", timeoutMs: 10_000 },
  );
});

it('when Postfix defers a recipient, then its delay warning (delay_warning_time 1s) becomes an email.delayed event for the mail', async () => {
  const mail = await send('later@slow.test');

  const delayed = await eventually(feedbackEvent('email.delayed', 'later@slow.test'), Boolean, {
    what: 'the email.delayed event',
    timeoutMs: 30_000,
  });
  expect(delayed?.event.data).toMatchObject({
    messageId: mail.messageId,
    emailSentId: mail.emailSentId,
    classification: 'delayed',
    status: '4.4.1',
  });
});

it('when a forged DSN with a wrong tag arrives through the same MTA, then feedback reads it, and it causes no event', async () => {
  const forged = createVerp({
    ...verpSettings,
    BOUNCE_VERP_SECRET: 'a-forger-does-not-know-the-secret-00000',
    BOUNCE_LOCAL_PART: 'bounces',
  })!;
  const before = feedback.logs.lines().length;
  const client = createTransport({ host: '127.0.0.1', port: postfix.port, secure: false, ignoreTLS: true });
  await client.sendMail({
    envelope: { from: '', to: forged.address('0f8fad5b-d9cb-469f-a165-70867728950e') },
    raw: dsnReport({ to: 'ignored@example.com', recipient: 'victim@example.org' }),
  });
  client.close();

  const read = await eventually(
    () =>
      feedback.logs
        .lines()
        .slice(before)
        .map((line) => (line as { feedback?: { correlated: boolean; kind: string } }).feedback)
        .find(Boolean),
    Boolean,
    { what: "feedback's reading of the forged report", timeoutMs: 30_000 },
  );
  expect(read).toMatchObject({ kind: 'dsn', correlated: false, events: 0 });
  expect(
    sink.stored().filter(({ event }) => (event.data as { recipient?: string }).recipient === 'victim@example.org'),
  ).toEqual([]);
});
