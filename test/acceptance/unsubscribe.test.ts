/**
 * Issue 31, one-click unsubscribe (RFC 8058) and suppression scopes, end to end with real peers: send-mail
 * signs each broadcast mail (DKIM, verified by mailauth) with List-Unsubscribe and List-Unsubscribe-Post in
 * h=; records, on a real PostgreSQL as its own role, answers the link's POST without a JWT (the token is its
 * authentication), as Gmail sends it; send-mail, as its own role, reads the scoped suppression before the
 * next mail. Events go to a real CloudEvents receiver. Every "nothing changed" counts rows, events and mails.
 */
import { dkimVerify } from 'mailauth';
import { createRecordsApp } from '../../functions/records/app';
import { recordsSettings } from '../../functions/records/settings';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { loadConfig } from '../../shared/config';
import { DEAD_LETTER_MESSAGE_SUFFIX } from '../../shared/events/dead-letter-line';
import type { Database } from '../../shared/db';
import { launch, type RunningFunction } from '../../shared/launcher';
import { createUnsubscribeTokens } from '../../shared/unsubscribe';
import { testDkim } from '../support/dkim';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { eventually } from '../support/eventually';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { expectErrorBody, postJson, request, type Answer } from '../support/http-client';
import { createLogSink, type LogSink } from '../support/log-sink';
import { startMigratedPostgres, type TestPostgres } from '../support/postgres';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';

jest.setTimeout(120_000);

const SECRET = 'acceptance-unsubscribe-secret-0123456789abcdef';
const DKIM = testDkim();
const { domain: DOMAIN, resolver } = DKIM;

/** The two callers: campaign-service (the default subject) and another sender of campaign mail. */
const CAMPAIGNS = '["","sub","campaign-service"]';
const NEWSLETTER = 'newsletter-service';

let postgres: TestPostgres;
let db: Database;
let smtp: TestSmtpServer;
let sink: EventReceiver;
let records: RunningFunction;
let recordsLogs: LogSink;
let sendMail: FunctionUnderTest;

beforeAll(async () => {
  postgres = await startMigratedPostgres({ records_app: 'mailer_records', send_app: 'mailer_send_mail' });
  db = await postgres.connect();
  [smtp, sink] = await Promise.all([startSmtpServer(), startEventReceiver()]);
  recordsLogs = createLogSink();
  const config = {
    ...loadConfig(recordsSettings, {
      ENVIRONMENT: 'local',
      LOG_FORMAT: 'ecs',
      DATABASE_URL: postgres.urlFor('records_app'),
      TIMELINE_READ_ALL_ROLE: 'mailer-auditor',
      K_SINK: sink.url,
      UNSUBSCRIBE_SECRET: SECRET,
    }),
    PORT: 0,
  };
  records = await launch(createRecordsApp(config, recordsLogs.stream), config, '127.0.0.1');
  sendMail = await startFunction(createSendMailApp, {
    SMTP_URL: smtp.url,
    MAIL_FROM: `mailer@${DOMAIN}`,
    FEATURE_EMAIL_SENT_EVENT: 'true',
    K_SINK: sink.url,
    SUPPRESSION_CHECK: 'required',
    DATABASE_URL: postgres.urlFor('send_app'),
    DKIM_DOMAIN: DOMAIN,
    DKIM_SELECTOR: DKIM.selector,
    DKIM_PRIVATE_KEY: DKIM.privateKeyPem,
    UNSUBSCRIBE_BASE_URL: records.url,
    UNSUBSCRIBE_SECRET: SECRET,
  });
});

afterAll(async () => {
  await sendMail?.stop();
  await records?.shutdown();
  await Promise.all([sink?.stop(), smtp?.stop()]);
  await db?.close();
  await postgres?.stop();
});

/** Every email.unsubscribed the sink took, across the tests (the ledger's events side). */
const eventsAtSink: string[] = [];

beforeEach(() => {
  smtp.reset();
  sink.reset();
});

afterEach(() => {
  for (const { event } of sink.stored()) if (event.type.endsWith('.email.unsubscribed.v1')) eventsAtSink.push(event.id);
});

const broadcaster = (subject?: string) => bearer({ roles: ['admin', 'broadcast'], ...(subject ? { subject } : {}) });
const send = async (body: Record<string, unknown>, subject?: string): Promise<Answer> =>
  postJson(`${sendMail.url}${SEND_MAIL_PATH}`, body, await broadcaster(subject));
const news = (to: string, extra: Record<string, unknown> = {}) => ({
  to_address: to,
  subject: 'December news',
  body: 'this month\n',
  stream: 'broadcast',
  ...extra,
});

/** One header of a received mail, unfolded. */
function header(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const line = head.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Sends one broadcast mail to `to` and gives back its one-click link, from the mail as received. */
async function broadcastLink(to: string, subject?: string): Promise<string> {
  smtp.reset();
  const answer = await send(news(to), subject);
  expect(answer.status).toBe(200);
  const raw = smtp.mails[0]?.raw ?? '';
  const link = /^<([^>]+)>$/.exec(header(raw, 'List-Unsubscribe') ?? '')?.[1];
  expect(link).toBeDefined();
  return link ?? '';
}

/** The POST Gmail sends: no Authorization, the RFC 8058 form body. */
const oneClick = (link: string, body = 'List-Unsubscribe=One-Click'): Promise<Answer> =>
  request(link, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
  });

/** Rows and events that any change would add to. */
async function counts(): Promise<{ suppressions: number; timeline: number; events: number }> {
  const { rows } = await db.query<{ suppressions: number; timeline: number }>(
    "SELECT (SELECT count(*) FROM suppression)::int AS suppressions, (SELECT count(*) FROM mail_event WHERE type = 'email.unsubscribed')::int AS timeline",
  );
  return { suppressions: rows[0]?.suppressions ?? -1, timeline: rows[0]?.timeline ?? -1, events: sink.received.length };
}

const unsubscribedAtSink = () =>
  sink.received.filter((received) => received.event.type.endsWith('.email.unsubscribed.v1'));

describe('when a broadcast mail is sent', () => {
  it('then it carries our one-click link and List-Unsubscribe-Post, both in the DKIM h= list, and it verifies', async () => {
    const link = await broadcastLink('signed@mailinator.com');
    const raw = smtp.mails[0]?.raw ?? '';

    expect(link.startsWith(`${records.url}/unsubscribe/`)).toBe(true);
    expect(link).not.toContain('signed');
    expect(header(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const signedHeaders = /\bh=([^;]+)/.exec(header(raw, 'DKIM-Signature') ?? '')?.[1]?.replace(/\s/g, '') ?? '';
    expect(signedHeaders.toLowerCase().split(':')).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']),
    );
    const { results } = await dkimVerify(Buffer.from(raw), { resolver, strict: true });
    expect(results.map((result) => result.status.result)).toEqual(['pass']);
    // A copy whose link was swapped for another does not verify.
    const swapped = raw.replace(
      /^List-Unsubscribe:[^\r\n]*(\r\n[ \t][^\r\n]*)*/m,
      'List-Unsubscribe: <https://evil.example/u>',
    );
    expect(header(swapped, 'List-Unsubscribe')).toBe('<https://evil.example/u>');
    const forged = await dkimVerify(Buffer.from(swapped), { resolver, strict: true });
    expect(forged.results.map((result) => result.status.result)).toEqual(['fail']);
  });

  it('then a transactional mail carries no unsubscribe headers', async () => {
    const answer = await send({ ...news('receipt@mailinator.com'), stream: 'transactional' });

    expect(answer.status).toBe(200);
    expect(header(smtp.mails[0]?.raw ?? '', 'List-Unsubscribe')).toBeUndefined();
  });

  it('then the caller’s own list_unsubscribe goes in the headers instead of ours, and cc is allowed', async () => {
    const own = 'https://campaigns.example.com/unsubscribe/8f2c1e?list=december';
    const answer = await send(news('own@mailinator.com', { list_unsubscribe: own, cc: ['cc@mailinator.com'] }));

    expect(answer.status).toBe(200);
    const raw = smtp.mails[0]?.raw ?? '';
    expect(header(raw, 'List-Unsubscribe')).toBe(`<${own}>`);
    expect(header(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
  });

  it.each([
    {
      name: 'a cc without its own list_unsubscribe',
      extra: { cc: ['cc@mailinator.com'] },
      field: 'cc',
      code: 'stream.one_recipient',
    },
    {
      name: 'a list_unsubscribe that is not https',
      extra: { list_unsubscribe: 'http://campaigns.example.com/u' },
      field: 'list_unsubscribe',
      code: 'field.url',
    },
    {
      name: 'a list_unsubscribe with an angle bracket',
      extra: { list_unsubscribe: 'https://a.example/u>x' },
      field: 'list_unsubscribe',
      code: 'field.url',
    },
  ])('then $name is 400 email.validation.error ($code) and nothing is sent', async ({ extra, field, code }) => {
    const answer = await send(news('refused@mailinator.com', extra));

    expectErrorBody(answer, 'email.validation.error');
    expect((answer.body as { details: unknown[] }).details).toEqual([{ field, code }]);
    expect(smtp.mails).toHaveLength(0);
  });
});

describe('when the recipient uses the one-click link', () => {
  it('then 200 without a JWT, and only that caller’s broadcast mail stops: the next broadcast is suppressed, a transactional mail and another caller’s broadcast go out', async () => {
    const to = 'reader@mailinator.com';
    const link = await broadcastLink(to);
    const answer = await oneClick(link);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ unsubscribed: true });
    const [event] = unsubscribedAtSink();
    expect(event?.event).toMatchObject({
      source: '/mailer/records',
      data: { recipient: to, caller: CAMPAIGNS, stream: 'broadcast', method: 'one-click' },
    });
    smtp.reset();
    const again = await send(news(to));
    expectErrorBody(again, 'email.recipient.suppressed');
    expect(smtp.mails).toHaveLength(0);
    const transactional = await send({ ...news(to), stream: 'transactional' });
    const otherCaller = await send(news(to), NEWSLETTER);
    expect([transactional.status, otherCaller.status]).toEqual([200, 200]);
    expect(smtp.mails).toHaveLength(2);
  });

  it('then the suppression API and the mail’s timeline show the unsubscribe with its scope, and reactivating that scope lets broadcast mail through again', async () => {
    const to = 'timeline@mailinator.com';
    const link = await broadcastLink(to);
    const messageId = /^<([^>]+)>$/.exec(header(smtp.mails[0]?.raw ?? '', 'Message-ID') ?? '')?.[1] ?? '';
    expect((await oneClick(link)).status).toBe(200);
    const scope = { stream: 'broadcast', caller: CAMPAIGNS };
    const adminAuth = await bearer({ roles: ['mailer-admin'] });

    const listed = await request(`${records.url}/api/rest/v1/suppressions?address=${encodeURIComponent(to)}`, {
      headers: adminAuth,
    });
    expect(listed.body).toMatchObject({ items: [{ address: to, reason: 'unsubscribe', scope }] });
    const timeline = await request(`${records.url}/api/rest/v1/emails/${encodeURIComponent(`<${messageId}>`)}`, {
      headers: await bearer({ roles: ['admin', 'mailer-auditor'] }),
    });
    expect(timeline.body).toMatchObject({
      events: [{ type: 'email.unsubscribed', recipient: to, suppression: { reason: 'unsubscribe', scope } }],
    });
    const everyMail = await request(`${records.url}/api/rest/v1/suppressions/${encodeURIComponent(to)}`, {
      headers: adminAuth,
    });
    expectErrorBody(everyMail, 'suppression.notfound');

    const query = new URLSearchParams(scope).toString();
    const removed = await request(`${records.url}/api/rest/v1/suppressions/${encodeURIComponent(to)}?${query}`, {
      method: 'DELETE',
      headers: adminAuth,
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ address: to, scope });
    smtp.reset();
    expect((await send(news(to))).status).toBe(200);
    expect(smtp.mails).toHaveLength(1);
  });

  it('then in a batch of broadcast mails the unsubscribed recipient’s item is suppressed, and each mail sent carries its own link', async () => {
    const gone = 'batch-gone@mailinator.com';
    expect((await oneClick(await broadcastLink(gone))).status).toBe(200);
    const stays = ['batch-a@mailinator.com', 'batch-b@mailinator.com'];
    smtp.reset();

    const answer = await postJson(
      `${sendMail.url}${SEND_MAIL_BATCH_PATH}`,
      { messages: [news(stays[0] ?? ''), news(gone), news(stays[1] ?? '')] },
      await broadcaster(),
    );

    expect(answer.status).toBe(200);
    expect((answer.body as { results: { status: string; code?: string }[] }).results).toMatchObject([
      { status: 'sent' },
      { status: 'failed', code: 'email.recipient.suppressed' },
      { status: 'sent' },
    ]);
    expect(smtp.mails).toHaveLength(2);
    // Each link names its own mail's recipient and Message-ID (opened with the deployment's key).
    const tokens = createUnsubscribeTokens({ UNSUBSCRIBE_SECRET: SECRET });
    const opened = await Promise.all(
      smtp.mails.map(async (mail) => {
        const link = /^<([^>]+)>$/.exec(header(mail.raw, 'List-Unsubscribe') ?? '')?.[1] ?? '';
        const target = await tokens?.open(link.slice(link.lastIndexOf('/') + 1));
        return { to: mail.to, target };
      }),
    );
    expect(opened.map(({ to, target }) => [to, target?.recipient, target?.caller])).toEqual(
      smtp.mails.map((mail) => [mail.to, mail.to[0], CAMPAIGNS]),
    );
    expect(opened.map(({ to }) => to[0]).sort()).toEqual([...stays].sort());
  });

  it('then a repeated POST answers 200 and changes nothing more', async () => {
    const link = await broadcastLink('twice@mailinator.com');
    expect((await oneClick(link)).status).toBe(200);
    const before = await counts();

    const again = await oneClick(link);

    expect(again.status).toBe(200);
    expect(await counts()).toEqual(before);
    expect(unsubscribedAtSink()).toHaveLength(1);
  });

  it('then a GET shows a page with the button and changes nothing', async () => {
    const to = 'scanner@mailinator.com';
    const link = await broadcastLink(to);
    const before = await counts();

    const page = await request(link);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(page.text).not.toContain(to);
    expect(await counts()).toEqual(before);
    smtp.reset();
    expect((await send(news(to))).status).toBe(200);
  });

  it.each([
    {
      name: 'forged',
      alter: () =>
        `${records.url}/unsubscribe/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..AAAAAAAAAAAAAAAAAAAAAA.AAAA.AAAA`,
    },
    {
      name: 'altered in its ciphertext',
      alter: (link: string) =>
        link.replace(
          /\.([\w-])([\w-]*)\.([\w-]+)$/,
          (_m, c: string, rest: string, tag: string) => `.${c === 'A' ? 'B' : 'A'}${rest}.${tag}`,
        ),
    },
    { name: 'cut short', alter: (link: string) => link.slice(0, -5) },
  ])(
    'then a token that is $name gets 404 unsubscribe.notfound, for POST and GET, and changes nothing',
    async ({ alter }) => {
      const to = 'forged@mailinator.com';
      const link = alter(await broadcastLink(to));
      const before = await counts();

      const posted = await oneClick(link);
      const fetched = await request(link);

      expectErrorBody(posted, 'unsubscribe.notfound');
      expectErrorBody(fetched, 'unsubscribe.notfound');
      expect(await counts()).toEqual(before);
      smtp.reset();
      expect((await send(news(to))).status).toBe(200);
    },
  );

  it('then a POST without the one-click form body gets 400 unsubscribe.body.invalid and changes nothing', async () => {
    const link = await broadcastLink('nobody@mailinator.com');
    const before = await counts();

    const answer = await oneClick(link, 'List-Unsubscribe=Please');

    expectErrorBody(answer, 'unsubscribe.body.invalid');
    expect(await counts()).toEqual(before);
  });

  it('then no log line of records holds the token or the address', async () => {
    const to = 'private@mailinator.com';
    const link = await broadcastLink(to);
    const token = link.slice(link.lastIndexOf('/') + 1);
    const start = recordsLogs.text().length;
    await oneClick(link);
    await request(link);

    const text = await eventually(
      () => recordsLogs.text().slice(start),
      (written) => written.split('/unsubscribe/{token}').length > 2,
      { what: 'two access-log lines', timeoutMs: 5000 },
    );
    expect(text).not.toContain(token.slice(0, 40));
    expect(text).not.toContain(to);
  });

  it('then with the event sink down the POST still answers 200, and its event is a dead-letter line', async () => {
    const link = await broadcastLink('sink-down@mailinator.com');
    await sink.down();
    try {
      expect((await oneClick(link)).status).toBe(200);
    } finally {
      await sink.up();
    }
    expect(deadLettered()).toHaveLength(1);
  });

  it('then with the database down the POST is 503 records.store.unavailable, and nothing is written or published', async () => {
    const to = 'db-down@mailinator.com';
    const link = await broadcastLink(to);
    await postgres.down();
    let answer: Answer;
    try {
      answer = await oneClick(link);
    } finally {
      await postgres.up();
      await db.close();
      db = await postgres.connect();
    }
    expectErrorBody(answer, 'records.store.unavailable');
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(unsubscribedAtSink()).toEqual([]);
    expect((await db.query('SELECT 1 FROM suppression WHERE address = $1', [to])).rows).toEqual([]);
    // The POST is safe to repeat: once the database is back, it unsubscribes.
    expect((await oneClick(link)).status).toBe(200);
  });
});

/** The ids of email.unsubscribed events records dead-lettered. */
function deadLettered(): string[] {
  return recordsLogs
    .lines()
    .filter((line) => String(line.message).endsWith(DEAD_LETTER_MESSAGE_SUFFIX))
    .map((line) => line.cloudevent as { id: string; type: string })
    .filter((event) => event.type.endsWith('.email.unsubscribed.v1'))
    .map((event) => event.id);
}

describe('the ledger, over every test above', () => {
  it('when the tests are done, then each unsubscribe written into a timeline has exactly one event, at the sink or dead-lettered, and no event is without one', async () => {
    const { rows } = await db.query<{ event_id: string }>(
      "SELECT event_id FROM mail_event WHERE type = 'email.unsubscribed' ORDER BY event_id",
    );
    const events = [...eventsAtSink, ...deadLettered()].sort();

    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(events).toEqual(rows.map((row) => row.event_id));
  });
});
