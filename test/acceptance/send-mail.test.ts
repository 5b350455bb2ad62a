/**
 * send-mail in-process behind our launcher, against a real SMTP server on loopback.
 */
import { simpleParser } from 'mailparser';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { badRequests, validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { useSendMail } from '../support/send-mail-under-test';
import { expectErrorBody, postJson, request } from '../support/http-client';
import { startSilentServer, startSmtpServer } from '../support/smtp-server';
import type { ErrorCode } from '../../shared/errors';

/** Every SMTP timeout at one second: they must nest inside SMTP_SEND_TIMEOUT_SECONDS. */
const ONE_SECOND_SMTP = {
  SMTP_SEND_TIMEOUT_SECONDS: '1',
  SMTP_CONNECTION_TIMEOUT_SECONDS: '1',
  SMTP_GREETING_TIMEOUT_SECONDS: '1',
  SMTP_SOCKET_TIMEOUT_SECONDS: '1',
};

const sendMail = useSendMail({ MAX_BODY_BYTES: '65536' });

describe('when a valid mail is posted', () => {
  it('then the SMTP server receives exactly that mail and the answer names its Message-ID', async () => {
    const answer = await postJson(sendMail.endpoint, validRequest, sendMail.auth);

    expect(answer.status).toBe(200);
    expect(sendMail.smtp.mails).toHaveLength(1);
    const [mail] = sendMail.smtp.mails;
    // Locally BOUNCE_DOMAIN defaults to bounces.localhost: the envelope sender is the mail's VERP address.
    expect(mail?.from).toMatch(/^bounces\+[0-9a-f]{48}@bounces\.localhost$/);
    expect(mail?.to).toEqual(['demo@mailinator.com']);
    const parsed = await simpleParser(mail?.raw ?? '');
    expect(parsed.from?.value).toEqual([{ address: 'mailer@example.com', name: '' }]);
    expect(parsed.subject).toBe(validRequest.subject);
    expect(parsed.text).toBe(validRequest.body);
    expect(answer.body).toEqual({ messageId: parsed.messageId });
    expect(parsed.headers.get('x-b3-traceid')).toBe(answer.headers.get('x-b3-traceid'));
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.attachments).toHaveLength(0);
  });

  it('then an IDN recipient is delivered in punycode', async () => {
    const answer = await postJson(
      sendMail.endpoint,
      { ...validRequest, to_address: 'demo@bücher.example' },
      sendMail.auth,
    );

    expect(answer.status).toBe(200);
    // smtp-server decodes the envelope back to Unicode; the header shows what went over the wire.
    expect(sendMail.smtp.mails[0]?.to).toEqual(['demo@bücher.example']);
    expect(sendMail.smtp.mails[0]?.raw).toMatch(/^To: demo@xn--bcher-kva\.example\r$/m);
  });

  it('then a subject that only looks like a header stays in the Subject', async () => {
    const answer = await postJson(
      sendMail.endpoint,
      { ...validRequest, subject: 'Bcc: victim@example.com' },
      sendMail.auth,
    );

    expect(answer.status).toBe(200);
    const parsed = await simpleParser(sendMail.smtp.mails[0]?.raw ?? '');
    expect(parsed.subject).toBe('Bcc: victim@example.com');
    expect(parsed.headers.has('bcc')).toBe(false);
  });
});

describe.each(badRequests)('when $name', (testCase) => {
  it(`then the answer is 400 ${testCase.code} and nothing reaches SMTP`, async () => {
    const answer = await postJson(sendMail.endpoint, testCase.body, sendMail.auth);

    expect(answer.status).toBe(400);
    expectErrorBody(answer, testCase.code);
    expect((answer.body as { details: unknown }).details).toEqual(testCase.problems ?? []);
    expect(sendMail.smtp.recipientsSeen).toEqual([]);
    expect(sendMail.smtp.mails).toEqual([]);
  });
});

describe('when the request is not what the route takes', () => {
  it.each<{ name: string; method: string; path: string; status: number; code: ErrorCode }>([
    {
      name: 'an unknown path',
      method: 'POST',
      path: '/api/rest/v1/sendmail2',
      status: 404,
      code: 'http.route.notfound',
    },
    { name: 'a trailing slash', method: 'POST', path: `${SEND_MAIL_PATH}/`, status: 404, code: 'http.route.notfound' },
    { name: 'the root path', method: 'GET', path: '/', status: 404, code: 'http.route.notfound' },
    { name: 'GET on sendmail', method: 'GET', path: SEND_MAIL_PATH, status: 405, code: 'http.method.notallowed' },
    { name: 'DELETE on sendmail', method: 'DELETE', path: SEND_MAIL_PATH, status: 405, code: 'http.method.notallowed' },
  ])('with $name, then it is $status $code', async ({ method, path, status, code }) => {
    const answer = await request(`${sendMail.fn.url}${path}`, { method });

    expect(answer.status).toBe(status);
    expectErrorBody(answer, code);
    if (status === 405) expect(answer.headers.get('allow')).toBe('POST');
    expect(sendMail.smtp.recipientsSeen).toEqual([]);
  });

  it.each([
    { name: 'text/plain', contentType: 'text/plain' },
    { name: 'a form', contentType: 'application/x-www-form-urlencoded' },
    { name: 'JSON in Latin-1', contentType: 'application/json; charset=iso-8859-1' },
    { name: 'a malformed content type', contentType: 'application/json; charset' },
  ])('with a body of $name, then it is 415', async ({ contentType }) => {
    const answer = await postJson(sendMail.endpoint, validRequest, { ...sendMail.auth, 'Content-Type': contentType });

    expect(answer.status).toBe(415);
    expectErrorBody(answer, 'http.mediatype.unsupported');
    expect(sendMail.smtp.recipientsSeen).toEqual([]);
  });

  it('with no content type, then it is 415', async () => {
    const answer = await request(sendMail.endpoint, {
      method: 'POST',
      headers: sendMail.auth,
      body: new Blob([JSON.stringify(validRequest)]),
    });

    expect(answer.status).toBe(415);
    expectErrorBody(answer, 'http.mediatype.unsupported');
  });

  it('with a gzip-encoded body, then it is 415 and nothing is inflated', async () => {
    const answer = await postJson(sendMail.endpoint, validRequest, { ...sendMail.auth, 'Content-Encoding': 'gzip' });

    expect(answer.status).toBe(415);
    expectErrorBody(answer, 'http.mediatype.unsupported');
  });

  it('with a 1 MB mail body and no attachments, then it is 413, and nothing is sent (the route reads more only for attachments)', async () => {
    const answer = await postJson(sendMail.endpoint, { ...validRequest, body: 'x'.repeat(1024 * 1024) }, sendMail.auth);

    expect(answer.status).toBe(413);
    expectErrorBody(answer, 'http.body.toolarge');
    expect(sendMail.smtp.recipientsSeen).toEqual([]);
  });

  it('with a body declared over the route limit (attachments included), then it is 413 before the body is read', async () => {
    const answer = await request(sendMail.endpoint, {
      method: 'POST',
      headers: { ...sendMail.auth, 'Content-Type': 'application/json' },
      body: 'x'.repeat(15 * 1024 * 1024),
    });

    expect(answer.status).toBe(413);
    expectErrorBody(answer, 'http.body.toolarge');
    expect(sendMail.smtp.recipientsSeen).toEqual([]);
  });

  it('with a chunked body over MAX_BODY_BYTES that holds no attachments, then it is 413 and nothing is sent', async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 80; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const answer = await request(sendMail.endpoint, {
      method: 'POST',
      headers: { ...sendMail.auth, 'Content-Type': 'application/json' },
      body: chunks,
      duplex: 'half',
    });

    expect(answer.status).toBe(413);
    expectErrorBody(answer, 'http.body.toolarge');
    expect(sendMail.smtp.recipientsSeen).toEqual([]);
  });
});

describe('when the SMTP server refuses', () => {
  it('permanently (550 on RCPT TO), then the answer is 400 email.recipient.rejected', async () => {
    sendMail.smtp.rejectPermanently.add('nobody@mailinator.com');

    const answer = await postJson(
      sendMail.endpoint,
      { ...validRequest, to_address: 'nobody@mailinator.com' },
      sendMail.auth,
    );

    expect(answer.status).toBe(400);
    expectErrorBody(answer, 'email.recipient.rejected');
    expect(sendMail.smtp.mails).toEqual([]);
  });

  it('temporarily (451 on RCPT TO), then the answer is 502 email.send.error', async () => {
    sendMail.smtp.rejectTemporarily.add('later@mailinator.com');

    const answer = await postJson(
      sendMail.endpoint,
      { ...validRequest, to_address: 'later@mailinator.com' },
      sendMail.auth,
    );

    expect(answer.status).toBe(502);
    expectErrorBody(answer, 'email.send.error');
    expect(sendMail.smtp.mails).toEqual([]);
  });
});

describe('when the SMTP server is not reachable', () => {
  it('then the answer is 502 email.send.error', async () => {
    const closed = await startSmtpServer();
    await closed.stop();
    const unreachable = await startFunction(createSendMailApp, {
      SMTP_URL: closed.url,
      SMTP_CONNECTION_TIMEOUT_SECONDS: '1',
    });
    try {
      const answer = await postJson(`${unreachable.url}${SEND_MAIL_PATH}`, validRequest, sendMail.auth);

      expect(answer.status).toBe(502);
      expectErrorBody(answer, 'email.send.error');
    } finally {
      await unreachable.stop();
    }
  });
});

describe('when the SMTP server accepts the connection but never answers', () => {
  it('then the send deadline answers 502 email.send.error: nothing was written, so nothing was sent', async () => {
    const silent = await startSilentServer();
    try {
      const hanging = await startFunction(createSendMailApp, {
        SMTP_URL: silent.url,
        ...ONE_SECOND_SMTP,
        REQUEST_TIMEOUT_SECONDS: '2',
      });
      try {
        const answer = await postJson(`${hanging.url}${SEND_MAIL_PATH}`, validRequest, sendMail.auth);

        expect(answer.status).toBe(502);
        expectErrorBody(answer, 'email.send.error');
      } finally {
        await hanging.stop();
      }
    } finally {
      await silent.stop();
    }
  });
});

describe('when SMTP keeps failing, the smtp circuit breaker', () => {
  async function withFunction(
    env: Record<string, string>,
    run: (url: string, fn: FunctionUnderTest) => Promise<void>,
  ): Promise<void> {
    const target = await startFunction(createSendMailApp, env);
    try {
      await run(`${target.url}${SEND_MAIL_PATH}`, target);
    } finally {
      await target.stop();
    }
  }

  it('opens after refused connections, and then answers 503 email.send.unavailable with Retry-After at once', async () => {
    const closed = await startSmtpServer();
    await closed.stop();
    await withFunction({ SMTP_URL: closed.url, SMTP_BREAKER_RESET_SECONDS: '30' }, async (url, target) => {
      for (let i = 0; i < 3; i += 1) expect((await postJson(url, validRequest, sendMail.auth)).status).toBe(502);

      const answer = await postJson(url, validRequest, sendMail.auth);

      expect(answer.status).toBe(503);
      expectErrorBody(answer, 'email.send.unavailable');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(target.logs.lines().filter((line) => line.message === 'circuit breaker smtp opened')).toHaveLength(1);
    });
  });

  it('bounds a blackholed server by SMTP_SEND_TIMEOUT_SECONDS, then opens', async () => {
    const silent = await startSilentServer();
    try {
      await withFunction({ SMTP_URL: silent.url, ...ONE_SECOND_SMTP }, async (url) => {
        for (let i = 0; i < 3; i += 1) {
          const answer = await postJson(url, validRequest, sendMail.auth);
          expect(answer.status).toBe(502);
          expectErrorBody(answer, 'email.send.error');
        }

        expect((await postJson(url, validRequest, sendMail.auth)).status).toBe(503);
      });
    } finally {
      await silent.stop();
    }
  });

  it('stays closed on permanent 550 refusals of bad recipients', async () => {
    sendMail.smtp.rejectPermanently.add('nobody@mailinator.com');
    await withFunction({ SMTP_URL: sendMail.smtp.url }, async (url, target) => {
      for (let i = 0; i < 5; i += 1) {
        const answer = await postJson(url, { ...validRequest, to_address: 'nobody@mailinator.com' }, sendMail.auth);
        expect(answer.status).toBe(400);
        expectErrorBody(answer, 'email.recipient.rejected');
      }

      expect((await postJson(url, validRequest, sendMail.auth)).status).toBe(200);
      expect(target.logs.lines().some((line) => line.message === 'circuit breaker smtp opened')).toBe(false);
    });
  });
});
