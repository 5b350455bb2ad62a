/**
 * Finding 4 of issue 13, "no work for a request whose connection is gone": send-mail in-process behind
 * the launcher, a real SMTP server, and a raw client that pipelines two requests in one write, the
 * second a valid mail. Behind an answer that closes the connection the second never runs.
 */
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/handler';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';
import { openRaw, post, statuses } from '../unit/shared/launcher/raw-http';

const MAX_BODY_BYTES = 65536;
let smtp: TestSmtpServer;
let fn: FunctionUnderTest;
let auth: Record<string, string>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  fn = await startFunction(createSendMailApp, { SMTP_URL: smtp.url, MAIL_FROM: 'mailer@example.com', MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
  auth = await bearer();
});

afterAll(async () => {
  await fn.stop();
  await smtp.stop();
});

beforeEach(() => smtp.reset());

/** Every request the launcher took is over, run or not: a mail for one of them would have been sent by now. */
async function settled(): Promise<void> {
  while (fn.running.inFlight() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

const oversized = 'x'.repeat(MAX_BODY_BYTES + 1);
const chunked = (chunks: readonly string[]): string => chunks.map((chunk) => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
const head = (headers: Record<string, string>): string =>
  `POST ${SEND_MAIL_PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

const closingFirsts: readonly { name: string; first: () => string; status: number }[] = [
  { name: 'a declared Content-Length over MAX_BODY_BYTES (413)', first: () => post(SEND_MAIL_PATH, oversized, auth), status: 413 },
  {
    name: 'a chunked body over MAX_BODY_BYTES (413)',
    first: () => head({ ...auth, 'Transfer-Encoding': 'chunked' }) + chunked(Array<string>(70).fill('x'.repeat(1024))),
    status: 413,
  },
  { name: 'Content-Encoding: gzip (415)', first: () => post(SEND_MAIL_PATH, JSON.stringify(validRequest), { ...auth, 'Content-Encoding': 'gzip' }), status: 415 },
  { name: 'a broken chunked body (400)', first: () => `${head({ ...auth, 'Transfer-Encoding': 'chunked' })}zz\r\n{}\r\n0\r\n\r\n`, status: 400 },
];

describe('finding 4: when a valid mail is pipelined behind an answer that closes the connection', () => {
  it.each(closingFirsts)('behind $name, then only that answer arrives and no mail is sent', async ({ first, status }) => {
    const client = await openRaw(fn.url);
    const second = post(SEND_MAIL_PATH, JSON.stringify({ ...validRequest, to_address: 'pipelined@mailinator.com' }), auth);

    client.socket.write(first() + second);
    const received = await client.closed;
    await settled();

    expect(statuses(received)).toEqual([status]);
    expect(smtp.recipientsSeen).toEqual([]);
    expect(smtp.mails).toEqual([]);
  });
});

describe('finding 4: when a valid mail is pipelined behind a 401', () => {
  it('then both answers arrive, in order, and exactly the second mail is sent', async () => {
    const client = await openRaw(fn.url);
    const unauthorized = post(SEND_MAIL_PATH, JSON.stringify(validRequest));
    const second = post(SEND_MAIL_PATH, JSON.stringify({ ...validRequest, to_address: 'pipelined@mailinator.com' }), { ...auth, Connection: 'close' });

    client.socket.write(unauthorized + second);
    const received = await client.closed;
    await settled();

    expect(statuses(received)).toEqual([401, 200]);
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['pipelined@mailinator.com']]);
  });
});
