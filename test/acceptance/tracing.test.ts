/**
 * X-B3-TraceId: picked up when valid, made when not, returned on every answer, carried to SMTP and to
 * every ECS log line of the request.
 */
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { postJson, request } from '../support/http-client';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';

let smtp: TestSmtpServer;
let fn: FunctionUnderTest;
let auth: Record<string, string>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  fn = await startFunction(createSendMailApp, { SMTP_URL: smtp.url, LOG_FORMAT: 'ecs' });
  auth = await bearer();
});

afterAll(async () => {
  await fn.stop();
  await smtp.stop();
});

beforeEach(() => smtp.reset());

function linesOf(traceId: string): Record<string, unknown>[] {
  return fn.logs.lines().filter((line) => (line.trace as { id?: string } | undefined)?.id === traceId);
}

describe.each([
  { name: 'a 32-hex id', traceId: '463ac35c9f6413ad48485a3953bb6124' },
  { name: 'a Sleuth-style 16-hex id', traceId: 'a3ce929d0e0e4736' },
])('when the request carries $name', ({ traceId }) => {
  it('then the same id comes back, goes to SMTP and is trace.id on the ECS log lines', async () => {
    const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, { ...auth, 'X-B3-TraceId': traceId });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-b3-traceid')).toBe(traceId);
    expect(smtp.mails[0]?.raw).toMatch(new RegExp(`^X-B3-TraceId: ${traceId}\\r$`, 'im'));
    const lines = linesOf(traceId);
    // One line per request: the access line, which also says what happened to the mail.
    expect(lines.map((line) => line.message)).toEqual([`POST ${SEND_MAIL_PATH} 200`]);
    expect(lines[0]?.email).toMatchObject({ message_id: (answer.body as { messageId: string }).messageId });
    for (const line of lines) {
      expect(line).toMatchObject({
        'log.level': expect.any(String),
        '@timestamp': expect.any(String),
        'ecs.version': expect.any(String),
      });
    }
  });
});

describe.each([
  { name: 'a chi-style host/counter id', incoming: 'host/abc-000001' },
  { name: 'upper-case hex', incoming: '463AC35C9F6413AD48485A3953BB6124' },
  { name: 'all zeros', incoming: '00000000000000000000000000000000' },
  { name: 'a wrong length', incoming: '463ac35c9f6413ad48' },
  { name: 'a 33-hex id', incoming: '463ac35c9f6413ad48485a3953bb61241' },
])('when the request carries $name', ({ incoming }) => {
  it('then a fresh 32-hex id replaces it everywhere and the bad value is never echoed', async () => {
    const answer = await request(`${fn.url}/nope`, { headers: { 'X-B3-TraceId': incoming } });

    const traceId = answer.headers.get('x-b3-traceid') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe(incoming.toLowerCase());
    expect(answer.text).not.toContain(incoming);
    const warning = linesOf(traceId).find((line) => line.message === 'invalid incoming X-B3-TraceId replaced');
    expect(warning).toMatchObject({ trace: { id: traceId }, tracing: { rejected_trace_id: incoming } });
  });
});

it('when no trace id arrives, then each answer gets its own fresh one', async () => {
  const first = await request(`${fn.url}/nope`);
  const second = await request(`${fn.url}/nope`);

  expect(first.headers.get('x-b3-traceid')).toMatch(/^[0-9a-f]{32}$/);
  expect(second.headers.get('x-b3-traceid')).not.toBe(first.headers.get('x-b3-traceid'));
});

it('when a mail is sent, then the logs hold neither its body nor the full recipient', async () => {
  const secretBody = 'the secret body 7f3a9c';
  const answer = await postJson(
    `${fn.url}${SEND_MAIL_PATH}`,
    { ...validRequest, to_address: 'jane.doe@example.com', body: secretBody },
    auth,
  );

  expect(answer.status).toBe(200);
  const text = fn.logs.text();
  expect(text).not.toContain(secretBody);
  expect(text).not.toContain('jane.doe@example.com');
  expect(text).toContain('j***@example.com');
});
