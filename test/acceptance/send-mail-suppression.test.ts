/**
 * Issue 29: send-mail checks the suppression list before each send, with one query for all recipients,
 * against a real PostgreSQL (a throwaway Debian cluster, migrated by the tool) as its own login role (a
 * member of mailer_send_mail: it may only read suppressions), and a real SMTP server that counts what
 * arrives. SUPPRESSION_CHECK=required and best-effort each run in their own send-mail.
 */
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import type { Database } from '../../shared/db';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { expectErrorBody, postJson } from '../support/http-client';
import { startMigratedPostgres, type TestPostgres } from '../support/postgres';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';

jest.setTimeout(120_000);

let postgres: TestPostgres;
let db: Database;
let smtp: TestSmtpServer;
let required: FunctionUnderTest;
let bestEffort: FunctionUnderTest;
let auth: Record<string, string>;

const SUPPRESSED = {
  gone: 'gone@example.org',
  angry: 'angry@example.org',
  idn: 'user@xn--bcher-kva.example',
} as const;

beforeAll(async () => {
  postgres = await startMigratedPostgres({ send_mail_app: 'mailer_send_mail' });
  db = await postgres.connect();
  await db.query(
    "INSERT INTO suppression (address, reason) VALUES ($1, 'hard_bounce'), ($2, 'complaint'), ($3, 'manual')",
    [SUPPRESSED.gone, SUPPRESSED.angry, SUPPRESSED.idn],
  );
  smtp = await startSmtpServer();
  const env = (mode: string): Record<string, string> => ({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'mailer@example.com',
    DATABASE_URL: postgres.urlFor('send_mail_app'),
    DATABASE_BREAKER_RESET_SECONDS: '1',
    DATABASE_CONNECT_TIMEOUT_MS: '500',
    SUPPRESSION_CHECK: mode,
  });
  required = await startFunction(createSendMailApp, env('required'));
  bestEffort = await startFunction(createSendMailApp, env('best-effort'));
  auth = await bearer();
});

beforeEach(() => smtp.reset());

afterAll(async () => {
  await required?.stop();
  await bestEffort?.stop();
  await smtp?.stop();
  await db?.close();
  await postgres?.stop();
});

const send = (fn: FunctionUnderTest, body: Record<string, unknown>) =>
  postJson(`${fn.url}${SEND_MAIL_PATH}`, { ...validRequest, ...body }, auth);

describe('when recipients are on the suppression list', () => {
  it('when the only recipient is suppressed, then 422 email.recipient.suppressed naming it, and no SMTP transaction', async () => {
    const answer = await send(required, { to_address: SUPPRESSED.gone });

    expect(answer.status).toBe(422);
    expectErrorBody(answer, 'email.recipient.suppressed');
    expect((answer.body as { details: unknown[] }).details).toEqual([
      { field: 'to_address', code: 'recipient.suppressed' },
    ]);
    expect(smtp.recipientsSeen).toEqual([]);
    expect(smtp.mails).toEqual([]);
  });

  it('when every recipient (to, cc, bcc) is suppressed, then 422 naming each, and no mail', async () => {
    const answer = await send(required, { to_address: SUPPRESSED.gone, cc: [SUPPRESSED.angry], bcc: [SUPPRESSED.idn] });

    expect(answer.status).toBe(422);
    expectErrorBody(answer, 'email.recipient.suppressed');
    expect((answer.body as { details: { field: string }[] }).details.map((detail) => detail.field)).toEqual([
      'to_address',
      'cc/0',
      'bcc/0',
    ]);
    expect(smtp.mails).toEqual([]);
  });

  it('when some are suppressed, then the mail goes to the others only, and the 200 names each suppressed one with reason suppressed', async () => {
    const answer = await send(required, {
      to_address: 'fine@example.org',
      cc: [SUPPRESSED.angry, 'also-fine@example.org'],
      bcc: [SUPPRESSED.gone],
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      accepted: ['fine@example.org', 'also-fine@example.org'],
      rejected: [
        { address: SUPPRESSED.angry, reason: 'suppressed' },
        { address: SUPPRESSED.gone, reason: 'suppressed' },
      ],
    });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.to).toEqual(['fine@example.org', 'also-fine@example.org']);
    expect(smtp.recipientsSeen).not.toContain(SUPPRESSED.angry);
    expect(smtp.recipientsSeen).not.toContain(SUPPRESSED.gone);
  });

  it('when a sandbox request has suppressed recipients, then it reports the same: 422 for all, rejected for some, and nothing is sent', async () => {
    const all = await send(required, { to_address: SUPPRESSED.gone, sandbox: true });
    const some = await send(required, { to_address: 'fine@example.org', cc: [SUPPRESSED.angry], sandbox: true });

    expect(all.status).toBe(422);
    expectErrorBody(all, 'email.recipient.suppressed');
    expect(some.status).toBe(200);
    expect(some.body).toMatchObject({
      sandbox: true,
      accepted: ['fine@example.org'],
      rejected: [{ address: SUPPRESSED.angry, reason: 'suppressed' }],
    });
    expect(smtp.mails).toEqual([]);
  });

  it('when a batch holds suppressed items, then each is checked on its own: suppressed ones failed, partly suppressed ones sent to the rest', async () => {
    const mail = (to: string, extra: Record<string, unknown> = {}) => ({ ...validRequest, to_address: to, ...extra });
    const answer = await postJson(
      `${required.url}${SEND_MAIL_BATCH_PATH}`,
      {
        messages: [
          mail('fine@example.org'),
          mail(SUPPRESSED.gone),
          mail('other@example.org', { cc: [SUPPRESSED.angry] }),
        ],
      },
      auth,
    );

    expect(answer.status).toBe(200);
    expect((answer.body as { results: unknown[] }).results).toEqual([
      { index: 0, status: 'sent', messageId: expect.any(String) },
      {
        index: 1,
        status: 'failed',
        code: 'email.recipient.suppressed',
        details: [{ field: 'to_address', code: 'recipient.suppressed' }],
      },
      {
        index: 2,
        status: 'sent',
        messageId: expect.any(String),
        accepted: ['other@example.org'],
        rejected: [{ address: SUPPRESSED.angry, reason: 'suppressed' }],
      },
    ]);
    expect(smtp.mails.map((sent) => sent.to)).toEqual(
      expect.arrayContaining([['fine@example.org'], ['other@example.org']]),
    );
    expect(smtp.mails).toHaveLength(2);
  });

  it.each([
    { name: 'the domain in another case', address: 'gone@EXAMPLE.Org', suppressed: true },
    { name: 'the IDN domain in Unicode', address: 'user@bücher.example', suppressed: true },
    { name: 'the local part in another case', address: 'Gone@example.org', suppressed: false },
    { name: 'a + tag on the local part', address: 'gone+news@example.org', suppressed: false },
  ])(
    'when the address is $name, then it is suppressed: $suppressed (the domain compared case-insensitively, the local part as sent)',
    async ({ address, suppressed }) => {
      const answer = await send(required, { to_address: address });

      expect(answer.status).toBe(suppressed ? 422 : 200);
      expect(smtp.mails).toHaveLength(suppressed ? 0 : 1);
    },
  );
});

describe('when the database is down', () => {
  it('when SUPPRESSION_CHECK is required, then 503 suppression.store.unavailable with Retry-After and no mail; best-effort sends, counted and logged; the ledger holds', async () => {
    await postgres.down();
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) {
        const [r, b] = [`r${i}@example.org`, `b${i}@example.org`];
        answers.push({ mode: 'required', address: r, answer: await send(required, { to_address: r }) });
        answers.push({ mode: 'best-effort', address: b, answer: await send(bestEffort, { to_address: b }) });
      }

      for (const { mode, answer } of answers) {
        if (mode === 'required') {
          expect(answer.status).toBe(503);
          expectErrorBody(answer, 'suppression.store.unavailable');
          expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
        } else expect(answer.status).toBe(200);
      }
      // The ledger: a 200 is exactly one mail at the SMTP server, any other answer none.
      const ok = answers.filter(({ answer }) => answer.status === 200);
      expect(smtp.mails.map((mail) => mail.to).sort()).toEqual(ok.map(({ address }) => [address]).sort());
      expect(smtp.recipientsSeen.filter((address) => address.startsWith('r'))).toEqual([]);
      const skipped = await bestEffort.app.metrics.registry.getSingleMetric('mailer_suppression_checks_total')?.get();
      expect(skipped?.values.find((value) => value.labels.outcome === 'skipped')?.value).toBe(4);
      expect(
        bestEffort.logs
          .lines()
          .filter((line) => line.message === 'suppression check skipped (SUPPRESSION_CHECK=best-effort)'),
      ).toHaveLength(4);
    } finally {
      await postgres.up();
    }

    // Back up: the breaker lets a trial through after its reset, and the check refuses suppressed mail again.
    let after = await send(required, { to_address: SUPPRESSED.gone });
    for (let attempt = 0; attempt < 20 && after.status === 503; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await send(required, { to_address: SUPPRESSED.gone });
    }
    expect(after.status).toBe(422);
    expectErrorBody(after, 'email.recipient.suppressed');
  });
});
