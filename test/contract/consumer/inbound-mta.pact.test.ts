/**
 * The inbound MTA's call (consumer InboundMTA, provider FeedbackService): Postfix's pipe transport running
 * scripts/feedback-pipe.sh, the consumer's real code, POSTs each report as received. Its exit code is what
 * Postfix does next: 0 delivered, 75 keep and retry.
 */
import { MatchersV3, PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEEDBACK_PATH } from '../../../functions/feedback/identity';
import { dsnReport } from '../../fixtures/feedback-reports';
import { exampleToken, FEEDBACK_PACT_VERP, PACT_LOG_LEVEL, PACTS_DIR } from '../../support/pacts';

const { boolean, eachLike, like, regex, string, uuid } = MatchersV3;
const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'feedback-pipe.sh');
const REPORT = dsnReport({ to: FEEDBACK_PACT_VERP.address, recipient: 'gone@example.org' }).toString('utf8');

const pact = new PactV3({
  consumer: 'InboundMTA',
  provider: 'FeedbackService',
  dir: PACTS_DIR,
  spec: SpecificationVersion.SPECIFICATION_VERSION_V3,
  logLevel: PACT_LOG_LEVEL,
});

/** Runs the pipe script as Postfix would: the mail on stdin, the URL and the token file as arguments. */
function pipe(url: string, token: string, mail: string): Promise<number | null> {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-'));
  writeFileSync(join(dir, 'token'), token);
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', [SCRIPT, url, join(dir, 'token')], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve(code);
    });
    child.stdin.end(mail);
  });
}

const request = (token: string): Parameters<PactV3['withRequest']>[0] => ({
  method: 'POST',
  path: FEEDBACK_PATH,
  headers: {
    'Content-Type': 'message/rfc822',
    Authorization: regex('^Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+$', `Bearer ${token}`),
  },
  body: REPORT,
});

describe('InboundMTA → FeedbackService', () => {
  it('when the MTA pipes a bounce of one of our mails with its token, then feedback answers 202 with what it read, and the pipe exits 0 (delivered)', async () => {
    const token = await exampleToken('inbound-mta', ['feedback']);
    pact
      .given('the MTA has a client with the feedback role')
      .uponReceiving('a bounce of one of our mails, piped by the MTA')
      .withRequest(request(token))
      .willRespondWith({
        status: 202,
        headers: { 'Content-Type': regex('^application/json(;.*)?$', 'application/json; charset=utf-8') },
        body: {
          kind: string('dsn'),
          correlated: boolean(true),
          messageId: string(`<${FEEDBACK_PACT_VERP.mailId}@${FEEDBACK_PACT_VERP.domain}>`),
          emailSentId: uuid(FEEDBACK_PACT_VERP.mailId),
          recipients: eachLike({
            recipient: string('gone@example.org'),
            classification: string('hard'),
            reason: string('user_unknown'),
            status: string('5.1.1'),
            eventId: uuid('4c1d2e3f-0a1b-8c2d-9e3f-405162738495'),
          }),
          eventIds: eachLike(uuid('4c1d2e3f-0a1b-8c2d-9e3f-405162738495')),
        },
      });

    await pact.executeTest(async (server) => {
      expect(await pipe(`${server.url}${FEEDBACK_PATH}`, token, REPORT)).toBe(0);
    });
  });

  it('when the token is refused, then feedback answers 401 and the pipe exits 75 (Postfix keeps the mail and retries)', async () => {
    const token = await exampleToken('inbound-mta', ['feedback']);
    pact
      .given('no client is known for this token')
      .uponReceiving('a bounce piped with a token feedback refuses')
      .withRequest(request(token))
      .willRespondWith({
        status: 401,
        headers: { 'Content-Type': regex('^application/json(;.*)?$', 'application/json; charset=utf-8') },
        body: { message: string('auth.token.invalid'), requestid: like('0af7651916cd43dd8448eb211c80319c') },
      });

    await pact.executeTest(async (server) => {
      expect(await pipe(`${server.url}${FEEDBACK_PATH}`, token, REPORT)).toBe(75);
    });
  });
});
