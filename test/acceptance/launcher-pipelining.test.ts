/**
 * Finding 4 of issue 13, "no work for a request whose connection is gone": a raw client pipelines two
 * requests in one write behind the launcher. Behind an answer that closes the connection the second
 * never runs: a stub function counts its invocations, and send-mail with a real SMTP server sends no mail.
 */
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { postJson } from '../support/http-client';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';
import { openRaw, post, statuses } from '../support/raw-http';
import { launchStub, STUB_PATH } from '../support/stub-function';
import { eventually } from '../support/eventually';
import { sendMailBodyLimit } from '../../functions/send-mail/http/body-limit';

const MAX_BODY_BYTES = 65536;
/** Attachments and batches kept tiny: the launcher's limit is then MAX_BODY_BYTES and a few KiB (sendMailBodyLimit). */
const ATTACHMENTS = { MAX_ATTACHMENT_BYTES: '1', MAX_ATTACHMENTS: '1', MAX_BATCH_SIZE: '1' };
const ROUTE_LIMIT = sendMailBodyLimit({
  MAX_BODY_BYTES,
  MAX_ATTACHMENT_BYTES: 1,
  MAX_ATTACHMENTS: 1,
  MAX_BATCH_SIZE: 1,
});
let smtp: TestSmtpServer;
let fn: FunctionUnderTest;
let auth: Record<string, string>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  fn = await startFunction(createSendMailApp, {
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    ...ATTACHMENTS,
  });
  auth = await bearer();
});

afterAll(async () => {
  await fn.stop();
  await smtp.stop();
});

beforeEach(() => smtp.reset());

/**
 * Every request the launcher took is over, run or not, and a canary mail sent after them went through the
 * same pool: a mail for one of them would have reached the SMTP server by now.
 */
async function settled(): Promise<void> {
  await eventually(
    () => fn.running.inFlight(),
    (inFlight) => inFlight === 0,
    { what: 'no request in flight', intervalMs: 10 },
  );
  const canary = await postJson(`${fn.url}${SEND_MAIL_PATH}`, { ...validRequest, to_address: CANARY }, auth);
  expect(canary.status).toBe(200);
}

const CANARY = 'canary@mailinator.com';

const oversized = 'x'.repeat(ROUTE_LIMIT + 1);
const chunked = (chunks: readonly string[]): string =>
  chunks.map((chunk) => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
const head = (headers: Record<string, string>, path = SEND_MAIL_PATH): string =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

const closingFirsts: readonly { name: string; first: () => string; status: number }[] = [
  {
    name: "a declared Content-Length over the send route's limit (413)",
    first: () => post(SEND_MAIL_PATH, oversized, auth),
    status: 413,
  },
  {
    name: "a chunked body over the send route's limit (413)",
    first: () =>
      head({ ...auth, 'Transfer-Encoding': 'chunked' }) +
      chunked(Array<string>(Math.ceil(ROUTE_LIMIT / 1024) + 1).fill('x'.repeat(1024))),
    status: 413,
  },
  {
    name: 'Content-Encoding: gzip (415)',
    first: () => post(SEND_MAIL_PATH, JSON.stringify(validRequest), { ...auth, 'Content-Encoding': 'gzip' }),
    status: 415,
  },
  {
    name: 'a broken chunked body (400)',
    first: () => `${head({ ...auth, 'Transfer-Encoding': 'chunked' })}zz\r\n{}\r\n0\r\n\r\n`,
    status: 400,
  },
];

/** The same closing answers in front of a stub function; `second` is a body-less request, which the old launcher ran at once. */
const stubFirsts: readonly { name: string; first: string; status: number }[] = [
  { name: 'a declared Content-Length over MAX_BODY_BYTES (413)', first: post(STUB_PATH, oversized), status: 413 },
  {
    name: 'a chunked body over MAX_BODY_BYTES (413)',
    first: head({ 'Transfer-Encoding': 'chunked' }, STUB_PATH) + chunked(Array<string>(70).fill('x'.repeat(1024))),
    status: 413,
  },
  { name: 'Content-Encoding: gzip (415)', first: post(STUB_PATH, '{}', { 'Content-Encoding': 'gzip' }), status: 415 },
  {
    name: 'a broken chunked body (400)',
    first: `${head({ 'Transfer-Encoding': 'chunked' }, STUB_PATH)}zz\r\n{}\r\n0\r\n\r\n`,
    status: 400,
  },
];

describe('finding 4: when a request is pipelined behind an answer that closes the connection, in front of a stub function', () => {
  it.each(stubFirsts)(
    'behind $name, then only that answer arrives and the function never runs',
    async ({ first, status }) => {
      const stub = await launchStub(() => ({ status: 200 }), { env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
      try {
        const client = await openRaw(stub.url);

        client.socket.write(`${first}GET ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
        const received = await client.closed;

        expect(statuses(received)).toEqual([status]);
        expect(stub.invocations()).toBe(0);
      } finally {
        await stub.running.shutdown();
      }
    },
  );

  it('behind a 404, which keeps the connection, then both answers arrive and both requests run', async () => {
    const stub = await launchStub(() => ({ status: 200 }));
    try {
      const client = await openRaw(stub.url);

      client.socket.write(
        `GET /elsewhere HTTP/1.1\r\nHost: localhost\r\n\r\nGET ${STUB_PATH} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      const received = await client.closed;

      expect(statuses(received)).toEqual([404, 200]);
      expect(stub.invocations()).toBe(2);
    } finally {
      await stub.running.shutdown();
    }
  });
});

describe('finding 4: when a valid mail is pipelined behind an answer that closes the connection', () => {
  it.each(closingFirsts)(
    'behind $name, then only that answer arrives and no mail is sent',
    async ({ first, status }) => {
      const client = await openRaw(fn.url);
      const second = post(
        SEND_MAIL_PATH,
        JSON.stringify({ ...validRequest, to_address: 'pipelined@mailinator.com' }),
        auth,
      );

      client.socket.write(first() + second);
      const received = await client.closed;
      await settled();

      expect(statuses(received)).toEqual([status]);
      expect(smtp.recipientsSeen).toEqual([CANARY]);
    },
  );
});

describe('finding 4: when a valid mail is pipelined behind a 401', () => {
  it('then both answers arrive, in order, and exactly the second mail is sent', async () => {
    const client = await openRaw(fn.url);
    const unauthorized = post(SEND_MAIL_PATH, JSON.stringify(validRequest));
    const second = post(SEND_MAIL_PATH, JSON.stringify({ ...validRequest, to_address: 'pipelined@mailinator.com' }), {
      ...auth,
      Connection: 'close',
    });

    client.socket.write(unauthorized + second);
    const received = await client.closed;
    await settled();

    expect(statuses(received)).toEqual([401, 200]);
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['pipelined@mailinator.com'], [CANARY]]);
  });
});
