/**
 * Issue 30, batch: POST /api/rest/v1/sendmail/batch in-process behind our launcher, with a real SMTP server
 * and events to a real CloudEvents receiver (K_SINK). Each item is answered on its own and the answers
 * agree with what the SMTP server and the sink hold; a keyed repeat replays the whole answer and sends
 * nothing. (The fault paths, with their ledger, are in faults-batch.test.ts.)
 */
import { SEND_MAIL_BATCH_PATH } from '../../functions/send-mail/identity';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { eventually } from '../support/eventually';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { createSendMailApp } from '../../functions/send-mail/app';
import { expectErrorBody, postJson, type Answer } from '../support/http-client';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';

jest.setTimeout(60_000);

let smtp: TestSmtpServer;
let sink: EventReceiver;
let fn: FunctionUnderTest;
let auth: Record<string, string>;
let endpoint: string;

interface ItemResult {
  readonly index: number;
  readonly status: string;
  readonly code?: string;
  readonly details?: readonly { field: string; code: string }[];
  readonly messageId?: string;
  readonly accepted?: readonly string[];
  readonly rejected?: readonly { address: string; replyCode?: number }[];
}

const resultsOf = (answer: Answer): ItemResult[] => (answer.body as { results: ItemResult[] }).results;
const mailTo = (to: string, n = 0) => ({ to_address: to, subject: `batch mail ${n}`, body: `hello ${n}\n` });
const messageIdsAtServer = (): string[] =>
  smtp.mails.map((mail) => /^Message-ID: *(<[^>]+>)/im.exec(mail.raw)?.[1] ?? '');

beforeAll(async () => {
  smtp = await startSmtpServer();
  sink = await startEventReceiver();
  auth = await bearer();
  fn = await startFunction(createSendMailApp, {
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    FEATURE_EMAIL_SENT_EVENT: 'true',
    K_SINK: sink.url,
    FEATURE_IDEMPOTENCY: 'true',
    SMTP_POOL_SIZE: '5',
  });
  endpoint = `${fn.url}${SEND_MAIL_BATCH_PATH}`;
});

afterAll(async () => {
  await fn.stop();
  await sink.stop();
  await smtp.stop();
});

beforeEach(() => {
  smtp.reset();
  sink.reset();
});

describe('when a batch of 100 mails holds 3 invalid ones', () => {
  it('then 97 mails go out with 97 events, and the 3 invalid items are answered with their own error codes', async () => {
    const messages: unknown[] = Array.from({ length: 100 }, (_, n) => mailTo(`batch-${n}@mailinator.com`, n));
    messages[7] = { ...mailTo('not-an-address', 7) };
    messages[42] = 'not an object';
    messages[99] = { ...mailTo('batch-99@mailinator.com', 99), attachments: [{ filename: 'a.txt', content: 'YQ==' }] };

    const answer = await postJson(endpoint, { messages }, auth);

    expect(answer.status).toBe(200);
    const results = resultsOf(answer);
    expect(results.map((result) => result.index)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    const failed = results.filter((result) => result.status === 'failed');
    expect(failed.map(({ index, code, details }) => ({ index, code, details }))).toEqual([
      { index: 7, code: 'email.validation.error', details: [{ field: 'to_address', code: 'address.syntax' }] },
      { index: 42, code: 'email.parse.error', details: [{ field: 'request', code: 'json.not_object' }] },
      { index: 99, code: 'email.validation.error', details: [{ field: 'attachments', code: 'field.not_in_batch' }] },
    ]);
    const sent = results.filter((result) => result.status === 'sent');
    expect(sent).toHaveLength(97);
    expect(smtp.mails).toHaveLength(97);
    expect(new Set(messageIdsAtServer())).toEqual(new Set(sent.map((result) => result.messageId)));
    // Each mail to its own recipient, once.
    expect(smtp.mails.map((mail) => mail.to[0]).sort()).toEqual(
      sent.map((result) => `batch-${result.index}@mailinator.com`).sort(),
    );
    await eventually(
      () => sink.stored().length,
      (count) => count >= 97,
      { what: '97 events at the sink', timeoutMs: 10_000 },
    );
    const events = sink.stored().map(({ event }) => event);
    expect(new Set(events.map((event) => event.id)).size).toBe(97);
    expect(new Set(events.map((event) => (event.data as { messageId: string }).messageId))).toEqual(
      new Set(sent.map((result) => result.messageId)),
    );
  });
});

describe('when the SMTP server refuses an item at RCPT', () => {
  it('then that item alone is failed with email.recipient.rejected, and a partly refused item says who got it', async () => {
    smtp.rejectPermanently.add('gone@mailinator.com');
    smtp.rejectPermanently.add('gone-cc@mailinator.com');
    try {
      const answer = await postJson(
        endpoint,
        {
          messages: [
            mailTo('first@mailinator.com', 0),
            mailTo('gone@mailinator.com', 1),
            { ...mailTo('third@mailinator.com', 2), cc: ['gone-cc@mailinator.com'] },
          ],
        },
        auth,
      );

      expect(answer.status).toBe(200);
      const [first, refused, partial] = resultsOf(answer);
      expect(first).toMatchObject({ index: 0, status: 'sent' });
      expect(refused).toEqual({ index: 1, status: 'failed', code: 'email.recipient.rejected' });
      expect(partial).toMatchObject({
        index: 2,
        status: 'sent',
        accepted: ['third@mailinator.com'],
        rejected: [{ address: 'gone-cc@mailinator.com', replyCode: 550 }],
      });
      expect(smtp.mails.map((mail) => mail.to)).toEqual(
        expect.arrayContaining([['first@mailinator.com'], ['third@mailinator.com']]),
      );
      expect(smtp.mails).toHaveLength(2);
    } finally {
      smtp.rejectPermanently.clear();
    }
  });
});

describe('when a batch is repeated with its Idempotency-Key', () => {
  it('then the whole answer is replayed and nothing is sent again; another body under the key is refused', async () => {
    const body = { messages: [mailTo('keyed-0@mailinator.com', 0), mailTo('keyed-1@mailinator.com', 1)] };
    const headers = { ...auth, 'Idempotency-Key': `batch-${Date.now()}` };
    const first = await postJson(endpoint, body, headers);
    expect(first.status).toBe(200);
    expect(smtp.mails).toHaveLength(2);
    await eventually(
      () => sink.stored().length,
      (count) => count >= 2,
      { what: 'the first answer’s 2 events', timeoutMs: 10_000 },
    );

    const repeat = await postJson(endpoint, body, headers);
    const other = await postJson(endpoint, { messages: [mailTo('keyed-2@mailinator.com', 2)] }, headers);

    expect(repeat.status).toBe(200);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.body).toEqual(first.body);
    expectErrorBody(other, 'idempotency.key.mismatch');
    expect(smtp.mails).toHaveLength(2);
    expect(sink.stored()).toHaveLength(2);
  });
});

describe('when the batch as a whole is refused', () => {
  it.each([
    { name: 'no messages', body: {}, code: 'email.validation.error', field: 'messages', problem: 'field.required' },
    {
      name: 'an empty list',
      body: { messages: [] },
      code: 'email.validation.error',
      field: 'messages',
      problem: 'field.too_short',
    },
    {
      name: 'more than MAX_BATCH_SIZE',
      body: { messages: Array.from({ length: 101 }, (_, n) => mailTo(`over-${n}@mailinator.com`, n)) },
      code: 'email.validation.error',
      field: 'messages',
      problem: 'field.too_many',
    },
    {
      name: 'messages not a list',
      body: { messages: {} },
      code: 'email.validation.error',
      field: 'messages',
      problem: 'field.type',
    },
    {
      name: 'an unknown field',
      body: { messages: [mailTo('a@mailinator.com')], send_at: 'now' },
      code: 'email.validation.error',
      field: 'send_at',
      problem: 'field.unknown',
    },
    {
      name: 'a JSON array',
      body: [mailTo('a@mailinator.com')],
      code: 'email.parse.error',
      field: 'request',
      problem: 'json.not_object',
    },
  ])('with $name, then 400 $code ($problem) and nothing is sent', async ({ body, code, field, problem }) => {
    const connections = smtp.connections();
    const answer = await postJson(endpoint, body, auth);

    expectErrorBody(answer, code as 'email.validation.error');
    expect((answer.body as { details: unknown[] }).details).toContainEqual({ field, code: problem });
    expect(smtp.mails).toHaveLength(0);
    expect(smtp.connections()).toBe(connections);
  });

  it('without a token, then 401 auth.token.missing and nothing is sent', async () => {
    const answer = await postJson(endpoint, { messages: [mailTo('a@mailinator.com')] });

    expectErrorBody(answer, 'auth.token.missing');
    expect(smtp.mails).toHaveLength(0);
  });
});

describe('when a batch item is a sandbox request', () => {
  it('then it is built and answered sandbox, without a mail or an event, beside a sent one', async () => {
    const answer = await postJson(
      endpoint,
      { messages: [{ ...mailTo('sandbox@mailinator.com'), sandbox: true }, mailTo('real@mailinator.com', 1)] },
      auth,
    );

    expect(resultsOf(answer).map((result) => result.status)).toEqual(['sandbox', 'sent']);
    expect(resultsOf(answer)[0]?.messageId).toMatch(/^<.+>$/);
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['real@mailinator.com']]);
  });
});
