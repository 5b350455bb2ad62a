/**
 * The caller's sampling decision and tracestate, honoured wherever our trace headers leave, with real
 * peers: the identity provider over HTTP (discovery and JWKS), the SMTP server and the Kafka mock.
 */
import { SignJWT } from 'jose';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { postJson } from '../support/http-client';
import { signingKey, startJwksServer, type JwksServer, type SigningKey } from '../support/jwks-server';
import {
  collectRecords,
  decodeCloudEvent,
  type ConsumedRecord,
  type RecordCollector,
} from '../support/kafka-mock/consumer';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { ROLES_CLAIM } from '../support/tokens';

const AUDIENCE = 'https://mailer.example.com';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACESTATE = 'vendor=abc';
let smtp: TestSmtpServer;
let kafka: KafkaMock;
let idp: JwksServer;
let key: SigningKey;
let topic: RecordCollector;
let fn: FunctionUnderTest;

async function token(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: idp.issuer,
    aud: AUDIENCE,
    sub: 'campaign-service',
    iat: now,
    exp: now + 300,
    [ROLES_CLAIM]: ['admin'],
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  kafka = await startKafkaMock();
  key = await signingKey('RS256', 'rs-1');
  idp = await startJwksServer([key.publicJwk]);
  // Down at start, so the keys are fetched within the traced request below, not by the start-up prefetch.
  idp.up = false;
  await kafka.createTopic('mail-sampling', 1);
  topic = await collectRecords(kafka.brokers, 'mail-sampling');
  fn = await startFunction(createSendMailApp, {
    ENVIRONMENT: 'dev',
    SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: AUDIENCE,
    FEATURE_EMAIL_SENT_EVENT: 'true',
    KAFKA_BROKERS: kafka.bootstrap,
    KAFKA_TOPIC: 'mail-sampling',
    KAFKA_SEND_TIMEOUT_MS: '1000',
    PUBLIC_BASE_URL: 'https://mailer.example.com',
  });
}, 30_000);

afterAll(async () => {
  await fn.stop();
  await topic.stop();
  await idp.stop();
  await kafka.stop();
  await smtp.stop();
});

it('when a request arrives unsampled with a tracestate, then the IdP calls, the mail and the Kafka record say unsampled and carry the tracestate where W3C goes', async () => {
  // Settles the failed start-up prefetch: after this answer the next request asks the IdP itself.
  expect(
    (await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, { Authorization: `Bearer ${await token()}` })).status,
  ).toBe(503);
  idp.up = true;
  const idpSeenBefore = idp.requests.length;

  const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, {
    Authorization: `Bearer ${await token()}`,
    traceparent: `00-${TRACE}-${CALLER_SPAN}-00`,
    tracestate: TRACESTATE,
  });

  expect(answer.status).toBe(200);
  expect(answer.headers.get('x-b3-traceid')).toBe(TRACE);
  const unsampled = new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`);
  const toIdp = idp.requests.slice(idpSeenBefore);
  expect(toIdp.map((request) => request.path)).toEqual(
    expect.arrayContaining(['/.well-known/openid-configuration', '/jwks']),
  );
  for (const request of toIdp) {
    expect(request.headers).toMatchObject({
      traceparent: expect.stringMatching(unsampled),
      tracestate: TRACESTATE,
      'x-b3-traceid': TRACE,
      'x-b3-sampled': '0',
    });
    expect(request.headers.b3).toMatch(new RegExp(`^${TRACE}-[0-9a-f]{16}-0-[0-9a-f]{16}$`));
  }
  const mail = smtp.mails[0]?.raw ?? '';
  expect(mail).toMatch(new RegExp(`^X-B3-TraceId: ${TRACE}\\r$`, 'im'));
  expect(mail).toMatch(/^X-B3-Sampled: 0\r$/im);
  expect(mail).toMatch(new RegExp(`^traceparent: 00-${TRACE}-[0-9a-f]{16}-00\\r$`, 'im'));
  const [record] = await topic.waitFor(1);
  expect(record?.headers).toMatchObject({
    ce_traceparent: expect.stringMatching(unsampled),
    ce_tracestate: TRACESTATE,
    'X-B3-TraceId': TRACE,
  });
  expect(record?.headers.b3).toMatch(new RegExp(`^${TRACE}-[0-9a-f]{16}-0$`));
  expect(decodeCloudEvent(record as ConsumedRecord)).toMatchObject({
    traceparent: expect.stringMatching(unsampled),
    tracestate: TRACESTATE,
  });
}, 30_000);
