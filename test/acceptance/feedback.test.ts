/**
 * Issue 28: the feedback function over real HTTP, its events received by a real CloudEvents sink (the
 * cloudevents SDK decoding, as a KafkaSink would). Reports are as MTAs write them (test/fixtures), sent to a
 * VERP address signed with the local secret; a forged or missing tag correlates to nothing.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEEDBACK_PATH } from '../../functions/feedback/identity';
import { feedbackSchemaFile, type FeedbackEventName } from '../../shared/contracts/email-feedback';
import { createVerp, verpSettings } from '../../shared/verp';
import { arfReport, autoReply, dsnReport } from '../fixtures/feedback-reports';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { startFeedback, type FunctionUnderTest } from '../support/function-under-test';
import { expectErrorBody, request, type Answer } from '../support/http-client';
import { bearer } from '../support/tokens';

const PREFIX = 'com.example.mailer';
const MAIL_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const verp = createVerp({
  BOUNCE_DOMAIN: verpSettings.localDefaults?.BOUNCE_DOMAIN,
  BOUNCE_LOCAL_PART: 'bounces',
  BOUNCE_VERP_SECRET: verpSettings.localDefaults?.BOUNCE_VERP_SECRET,
})!;
const OURS = verp.address(MAIL_ID);
const MESSAGE_ID = `<${MAIL_ID}@${verp.domain}>`;

const schemaOf = (name: FeedbackEventName): object =>
  JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'openapi', 'schemas', feedbackSchemaFile(name)), 'utf8'),
  ) as object;
const ajv = addFormats(new Ajv2020({ strict: true }));

let sink: EventReceiver;
let fn: FunctionUnderTest;
let auth: Record<string, string>;

interface FeedbackBody {
  kind: string;
  correlated: boolean;
  messageId?: string;
  emailSentId?: string;
  recipients: { recipient: string; classification: string; reason: string; status?: string; eventId?: string }[];
  eventIds: string[];
}

const post = (report: Buffer | string, headers: Record<string, string> = auth, url = fn.url): Promise<Answer> =>
  request(`${url}${FEEDBACK_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'message/rfc822', ...headers },
    body: report,
  });
const bodyOf = (answer: Answer): FeedbackBody => answer.body as FeedbackBody;

beforeAll(async () => {
  sink = await startEventReceiver();
  auth = await bearer({ roles: ['feedback'] });
  fn = await startFeedback({
    K_SINK: sink.url,
    EVENT_HTTP_TIMEOUT_MS: '500',
    EVENT_HTTP_BREAKER_RESET_SECONDS: '1',
    EVENT_TYPE_PREFIX: PREFIX,
    PUBLIC_BASE_URL: 'https://mailer.example.com',
  });
});

afterAll(async () => {
  await fn.stop();
  await sink.stop();
});

beforeEach(() => {
  sink.answer(202);
  sink.reset();
});

describe('when a bounce for one of our mails is posted', () => {
  it('then the answer is 202 naming the mail and its recipient hard, and the sink stores one email.bounced event for it', async () => {
    const answer = await post(dsnReport({ to: OURS, recipient: 'gone@example.org', status: '5.1.1' }));

    expect(answer.status).toBe(202);
    const body = bodyOf(answer);
    expect(body).toMatchObject({
      kind: 'dsn',
      correlated: true,
      messageId: MESSAGE_ID,
      emailSentId: MAIL_ID,
      recipients: [{ recipient: 'gone@example.org', classification: 'hard', reason: 'user_unknown', status: '5.1.1' }],
    });
    expect(body.eventIds).toHaveLength(1);
    const [stored] = await sink.waitFor(1);
    expect(stored?.event).toMatchObject({
      id: body.eventIds[0],
      type: `${PREFIX}.email.bounced.v1`,
      source: '/mailer/feedback',
      subject: MESSAGE_ID,
      partitionkey: 'gone@example.org',
      dataschema: `https://mailer.example.com/schemas/${feedbackSchemaFile('email.bounced')}`,
      data: {
        messageId: MESSAGE_ID,
        emailSentId: MAIL_ID,
        recipient: 'gone@example.org',
        classification: 'hard',
        reason: 'user_unknown',
        status: '5.1.1',
        smtpCode: '550',
        remoteMta: 'mx.example.org',
        reportKind: 'dsn',
      },
    });
    const valid = ajv.compile(schemaOf('email.bounced'));
    expect({ valid: valid(stored?.event.data), errors: valid.errors }).toEqual({ valid: true, errors: null });
  });

  it('then the same report posted again causes the same event id (a consumer dedupes the retry)', async () => {
    const report = dsnReport({ to: OURS, recipient: 'twice@example.org' });
    const first = bodyOf(await post(report));
    const second = bodyOf(await post(report));

    expect(second.eventIds).toEqual(first.eventIds);
    await sink.waitFor(2);
    expect(sink.distinctIds().size).toBe(1);
  });

  it('then a temporary refusal is soft, with its reason', async () => {
    const body = bodyOf(
      await post(
        dsnReport({ to: OURS, recipient: 'full@example.org', status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full' }),
      ),
    );

    expect(body.recipients).toEqual([
      expect.objectContaining({ classification: 'soft', reason: 'mailbox_full', status: '5.2.2' }),
    ]);
    const [stored] = await sink.waitFor(1);
    expect(stored?.event.type).toBe(`${PREFIX}.email.bounced.v1`);
  });
});

it('when a delay warning for one of our mails is posted, then the sink stores an email.delayed event', async () => {
  const body = bodyOf(
    await post(
      dsnReport({
        to: OURS,
        recipient: 'slow@example.org',
        action: 'delayed',
        status: '4.4.1',
        diagnostic: 'connect to mx.example.org[192.0.2.10]:25: Connection timed out',
      }),
    ),
  );

  expect(body.recipients).toEqual([
    expect.objectContaining({ recipient: 'slow@example.org', classification: 'delayed' }),
  ]);
  const [stored] = await sink.waitFor(1);
  expect(stored?.event).toMatchObject({
    type: `${PREFIX}.email.delayed.v1`,
    data: { classification: 'delayed', status: '4.4.1' },
  });
  const valid = ajv.compile(schemaOf('email.delayed'));
  expect(valid(stored?.event.data)).toBe(true);
});

it('when a complaint about one of our mails is posted, then the sink stores an email.complained event with its feedback type', async () => {
  const body = bodyOf(await post(arfReport({ to: OURS, recipient: 'angry@example.org' })));

  expect(body).toMatchObject({
    kind: 'arf',
    correlated: true,
    recipients: [{ recipient: 'angry@example.org', classification: 'complaint', reason: 'complaint' }],
  });
  const [stored] = await sink.waitFor(1);
  expect(stored?.event).toMatchObject({
    type: `${PREFIX}.email.complained.v1`,
    partitionkey: 'angry@example.org',
    data: { feedbackType: 'abuse', reportingAgent: 'ExampleFBL/1.0', reportKind: 'arf' },
  });
  const valid = ajv.compile(schemaOf('email.complained'));
  expect(valid(stored?.event.data)).toBe(true);
});

describe('when a report does not carry a tag of ours', () => {
  it.each([
    [
      'a forged tag (one digit of its mac changed)',
      OURS.replace(/([0-9a-f])@/, (_, d: string) => `${d === '0' ? '1' : '0'}@`),
    ],
    [
      'a tag signed with another secret',
      createVerp({
        BOUNCE_DOMAIN: verp.domain,
        BOUNCE_LOCAL_PART: 'bounces',
        BOUNCE_VERP_SECRET: 'somebody-elses-secret-000000000000000',
      })!.address(MAIL_ID),
    ],
    ['no tag', `bounces@${verp.domain}`],
    ['an address of another domain', 'postmaster@example.com'],
  ])('with %s, then it is read and answered, but correlates to no mail and causes no event', async (_, to) => {
    const answer = await post(dsnReport({ to, recipient: 'gone@example.org' }));

    expect(answer.status).toBe(202);
    expect(bodyOf(answer)).toEqual({
      kind: 'dsn',
      correlated: false,
      recipients: [{ recipient: 'gone@example.org', classification: 'hard', reason: 'user_unknown', status: '5.1.1' }],
      eventIds: [],
    });
    expect(sink.requestCount()).toBe(0);
  });
});

it('when an automatic reply is posted, then it is recognized and ignored: no recipient, no event', async () => {
  const answer = await post(autoReply({ to: OURS }));

  expect(bodyOf(answer)).toEqual({ kind: 'autoreply', correlated: false, recipients: [], eventIds: [] });
  expect(sink.requestCount()).toBe(0);
});

it('when a mail that is no report at all is posted, then the answer is 202 kind unknown (so the MTA does not retry it), and the log names its hash, not its content', async () => {
  const garbage = Buffer.concat([Buffer.from(`X-Original-To: ${OURS}\r\n\r\n`), Buffer.alloc(4096, 0xff)]);
  const answer = await post(garbage);

  expect(answer.status).toBe(202);
  expect(bodyOf(answer)).toEqual({ kind: 'unknown', correlated: false, recipients: [], eventIds: [] });
  const line = fn.logs.lines().findLast((entry) => (entry as { feedback?: unknown }).feedback !== undefined) as
    { feedback: { content_sha256: string; kind: string } } | undefined;
  expect(line?.feedback).toMatchObject({ kind: 'unknown', content_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
});

it('when reports are read, then the access-log line carries no recipient address and no tag in clear', async () => {
  await post(dsnReport({ to: OURS, recipient: 'private-person@example.org' }));
  await sink.waitFor(1);

  const logs = JSON.stringify(fn.logs.lines());
  expect(logs).not.toContain('private-person');
  expect(logs).not.toContain(OURS.split('@')[0]);
});

describe('refusals', () => {
  it('when no token is sent, then 401 auth.token.missing and nothing is read', async () => {
    const answer = await post(dsnReport({ to: OURS, recipient: 'gone@example.org' }), {});
    expect(answer.status).toBe(401);
    expectErrorBody(answer, 'auth.token.missing');
    expect(sink.requestCount()).toBe(0);
  });

  it("when the token lacks the feedback role (send-mail's admin), then 403 auth.role.missing", async () => {
    const answer = await post(
      dsnReport({ to: OURS, recipient: 'gone@example.org' }),
      await bearer({ roles: ['admin'] }),
    );
    expect(answer.status).toBe(403);
    expectErrorBody(answer, 'auth.role.missing');
  });

  it.each(['application/json', 'text/plain', 'multipart/report'])(
    'when the content type is %s, then 415 http.mediatype.unsupported',
    async (type) => {
      const answer = await post(dsnReport({ to: OURS, recipient: 'gone@example.org' }), {
        ...auth,
        'Content-Type': type,
      });
      expect(answer.status).toBe(415);
      expectErrorBody(answer, 'http.mediatype.unsupported');
    },
  );

  it('when the body is empty, then 400 feedback.report.empty', async () => {
    const answer = await post('');
    expect(answer.status).toBe(400);
    expectErrorBody(answer, 'feedback.report.empty');
  });

  it('when the report is over FEEDBACK_MAX_BYTES, then 413 http.body.toolarge, and one just under it is read', async () => {
    const small = await startFeedback({ K_SINK: sink.url, FEEDBACK_MAX_BYTES: '8192' });
    try {
      const report = dsnReport({ to: OURS, recipient: 'gone@example.org' });
      const padded = Buffer.concat([report, Buffer.alloc(8192 - report.length, 0x20)]);
      expect((await post(padded, auth, small.url)).status).toBe(202);

      const answer = await post(Buffer.concat([padded, Buffer.from(' ')]), auth, small.url);
      expect(answer.status).toBe(413);
      expectErrorBody(answer, 'http.body.toolarge');
    } finally {
      await small.stop();
    }
  });
});

it('when reports are read, then /metrics counts them by kind and correlation, and their recipients by classification', async () => {
  await post(dsnReport({ to: OURS, recipient: 'counted@example.org' }));
  await post(autoReply({ to: OURS }));

  const metrics = (await request(`${fn.url}/metrics`)).text;
  expect(metrics).toMatch(
    /^mailer_feedback_reports_total\{kind="dsn",correlated="true",function="feedback"\} [1-9]\d*$/m,
  );
  expect(metrics).toMatch(
    /^mailer_feedback_reports_total\{kind="autoreply",correlated="false",function="feedback"\} [1-9]\d*$/m,
  );
  expect(metrics).toMatch(/^mailer_feedback_recipients_total\{classification="hard",function="feedback"\} [1-9]\d*$/m);
});

it('when the sink is down, then every event of a 202 is in the dead-letter log instead (the ledger: answered ids = stored + dead letters)', async () => {
  sink.answer(503);
  const answered: string[] = [];
  for (const recipient of ['a@example.org', 'b@example.org', 'c@example.org']) {
    const answer = await post(dsnReport({ to: OURS, recipient }));
    expect(answer.status).toBe(202);
    answered.push(...bodyOf(answer).eventIds);
  }

  const deadLettered = fn.logs
    .lines()
    .filter((line) => String(line.message).endsWith('event not published: dead letter'))
    .map((line) => (line as { cloudevent?: { id?: string } }).cloudevent?.id);
  const stored = sink.stored().map((received) => received.event.id);
  expect(answered).toHaveLength(3);
  for (const id of answered)
    expect({ id, accounted: deadLettered.includes(id) || stored.includes(id) }).toEqual({ id, accounted: true });
});
