/**
 * send-mail in-process behind our launcher against a real SMTP server, for one test file: started before
 * its tests, the server's record cleared before each, both stopped after.
 */
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { startFunction, type FunctionUnderTest } from './function-under-test';
import { startSmtpServer, type TestSmtpServer } from './smtp-server';
import { bearer } from './tokens';

export interface SendMailUnderTest {
  readonly smtp: TestSmtpServer;
  readonly fn: FunctionUnderTest;
  /** The send-mail URL. */
  readonly endpoint: string;
  /** An Authorization header with a valid token. */
  readonly auth: Record<string, string>;
}

export function useSendMail(env: Record<string, string> = {}): SendMailUnderTest {
  let started: SendMailUnderTest | undefined;
  beforeAll(async () => {
    const smtp = await startSmtpServer();
    const fn = await startFunction(createSendMailApp, { SMTP_URL: smtp.url, MAIL_FROM: 'mailer@example.com', ...env });
    started = { smtp, fn, endpoint: `${fn.url}${SEND_MAIL_PATH}`, auth: await bearer() };
  });
  beforeEach(() => started?.smtp.reset());
  afterAll(async () => {
    await started?.fn.stop();
    await started?.smtp.stop();
  });
  const get = (): SendMailUnderTest => {
    if (started === undefined) throw new TypeError('send-mail is used before beforeAll started it');
    return started;
  };
  return {
    get smtp() {
      return get().smtp;
    },
    get fn() {
      return get().fn;
    },
    get endpoint() {
      return get().endpoint;
    },
    get auth() {
      return get().auth;
    },
  };
}
