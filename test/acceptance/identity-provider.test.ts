/**
 * send-mail against a real OpenID Connect provider (oidc-provider in a child process): tokens come from
 * a grant it really implements (client_credentials with resource indicators), keys from its discovery
 * document and JWKS.
 */
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { expectErrorBody, postJson } from '../support/http-client';
import { startIdp, type Idp } from '../support/idp/idp';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';

const AUDIENCE = 'https://mailer.example.com';
let smtp: TestSmtpServer;
let idp: Idp;
let fn: FunctionUnderTest;
const tokens: string[] = [];

async function sendWith(client: string): Promise<{ status: number; answer: Awaited<ReturnType<typeof postJson>> }> {
  const token = await idp.token(client);
  tokens.push(token);
  const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, { Authorization: `Bearer ${token}` });
  return { status: answer.status, answer };
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  idp = await startIdp({ audience: AUDIENCE });
  // The JWKS location is discovered from the issuer; a short cooldown lets the rotation test run quickly.
  fn = await startFunction(createSendMailApp, {
    ENVIRONMENT: 'dev',
    SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_JWKS_COOLDOWN_SECONDS: '1',
  });
}, 30_000);

afterAll(async () => {
  await fn.stop();
  await idp.stop();
  await smtp.stop();
});

beforeEach(() => smtp.reset());

it.each(['mailer-rs256', 'mailer-es256'])(
  'when %s gets a token from the IdP, then its mail is sent',
  async (client) => {
    const { status } = await sendWith(client);

    expect(status).toBe(200);
    expect(smtp.mails).toHaveLength(1);
  },
);

it('when a client without the admin role gets a token, then it is 403 and nothing is sent', async () => {
  const { status, answer } = await sendWith('reader-rs256');

  expect(status).toBe(403);
  expectErrorBody(answer, 'auth.role.missing');
  expect(smtp.recipientsSeen).toEqual([]);
});

it('when the IdP rotates its signing key, then tokens with the new kid are accepted after one refetch', async () => {
  const before = (await idp.requests()).filter((request) => request.path === '/jwks').length;
  await idp.rotate();
  // Time is the subject: a refetch for an unknown kid is allowed once the 1 s JWKS cooldown has passed.
  await new Promise((resolve) => setTimeout(resolve, 1100));

  const { status } = await sendWith('mailer-rs256');

  expect(status).toBe(200);
  expect((await idp.requests()).filter((request) => request.path === '/jwks').length).toBe(before + 1);
});

it('when all is done, then the IdP saw discovery and JWKS requests without any Authorization or token', async () => {
  const requests = (await idp.requests()).filter((request) => request.path !== '/token');

  expect(requests.map((request) => request.path)).toEqual(
    expect.arrayContaining(['/.well-known/openid-configuration', '/jwks']),
  );
  for (const request of requests) {
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers['x-b3-traceid']).toMatch(/^[0-9a-f]{32}$/);
  }
  const seen = JSON.stringify(requests) + fn.logs.text() + smtp.mails.map((mail) => mail.raw).join('');
  for (const token of tokens) expect(seen).not.toContain(token.split('.')[2]);
});
