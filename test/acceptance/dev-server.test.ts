/** `make dev`'s server: one port, routed by path, mail written to the outbox as .eml. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCS_REDIRECTS } from '../../functions/docs/site';
import { FEEDBACK_PATH } from '../../functions/feedback/identity';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { sendMailSettings } from '../../functions/send-mail/settings';
import { loadConfig } from '../../shared/config';
import { createVerp } from '../../shared/verp';
import { dsnReport } from '../fixtures/feedback-reports';
import { eventually } from '../support/eventually';
import { validRequest } from '../fixtures/send-mail-requests';
import { postJson, request } from '../support/http-client';
import {
  expectOneLinePortHint,
  freePort,
  holdPort,
  runToEnd,
  startChild,
  type ChildFunction,
} from '../support/processes';
import { openRaw, statuses } from '../support/raw-http';
import { bearer } from '../support/tokens';

const root = join(__dirname, '..', '..');
const devScript = [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'dev.ts')];
let outbox: string;
let dev: ChildFunction;

beforeAll(async () => {
  outbox = await mkdtemp(join(tmpdir(), 'outbox-'));
  const port = await freePort();
  // Its events file and database in the test's own directory: the recorder reads the one, writes the other.
  dev = await startChild(
    devScript,
    {
      PORT: String(port),
      OUTBOX_DIR: outbox,
      EVENT_OUTBOX_FILE: join(outbox, 'events.jsonl'),
      PGLITE_DIR: join(outbox, 'pglite'),
    },
    port,
  );
});

afterAll(async () => {
  dev.child.kill('SIGINT');
  await dev.exited;
  await rm(outbox, { recursive: true, force: true });
});

it('when it starts, then it prints the URLs and a ready-to-paste curl command', () => {
  expect(dev.stdout()).toContain(`${SEND_MAIL_PATH}`);
  expect(dev.stdout()).toMatch(/curl -i -X POST http:\/\/localhost:\d+\/api\/rest\/v1\/sendmail/);
});

it('when the printed sample request is sent with its token, then an .eml file with the mail appears in the outbox', async () => {
  const token = /Authorization: Bearer ([\w.-]+)'/.exec(dev.stdout())?.[1];
  expect(token).toBeDefined();

  const answer = await postJson(`${dev.url}${SEND_MAIL_PATH}`, validRequest, { Authorization: `Bearer ${token}` });

  expect(answer.status).toBe(200);
  const files = await readdir(outbox);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/\.eml$/);
  const eml = await readFile(join(outbox, files[0] ?? ''), 'utf8');
  expect(eml).toMatch(/^To: demo@mailinator\.com\r?$/m);
  expect(eml).toMatch(/^Subject: some subject\r?$/m);
});

it('when a request with an Idempotency-Key is sent twice, then one .eml is written and the second answer is the replay', async () => {
  const token = /Authorization: Bearer ([\w.-]+)'/.exec(dev.stdout())?.[1] ?? '';
  const headers = { Authorization: `Bearer ${token}`, 'Idempotency-Key': 'dev-twice' };
  const before = (await readdir(outbox)).length;

  const first = await postJson(`${dev.url}${SEND_MAIL_PATH}`, validRequest, headers);
  const second = await postJson(`${dev.url}${SEND_MAIL_PATH}`, validRequest, headers);

  expect([first.status, second.status]).toEqual([200, 200]);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(second.body).toEqual(first.body);
  expect((await readdir(outbox)).length - before).toBe(1);
});

it('when /health is asked, then the health function answers, not send-mail', async () => {
  const answer = await request(`${dev.url}/health`);

  expect(answer.status).toBe(200);
  // No SMTP server, no Kafka (the event toggle is off), no identity provider: nothing to claim UP.
  expect(answer.body).toEqual({
    status: 'UP',
    components: {
      smtp: { status: 'DISABLED' },
      kafka: { status: 'DISABLED' },
      identityProvider: { status: 'DISABLED' },
    },
  });
});

it.each(DOCS_REDIRECTS)('when %s is asked, then docs redirects it to /swagger-ui/', async (path) => {
  const answer = await request(`${dev.url}${path}`, { redirect: 'manual' });

  expect(answer.status).toBe(302);
  expect(answer.headers.get('location')).toBe('/swagger-ui/');
});

it('when the port is taken, then make dev exits non-zero with one line naming the port and PORT=, no stack trace', async () => {
  const held = await holdPort();
  try {
    expectOneLinePortHint(await runToEnd(devScript, { PORT: String(held.port), OUTBOX_DIR: outbox }), held.port);
  } finally {
    await held.release();
  }
});

describe('when the email.sent event is on and there is no Kafka', () => {
  let withEvents: ChildFunction;
  let events: string;

  beforeAll(async () => {
    events = join(outbox, 'events', 'sent.jsonl');
    const port = await freePort();
    withEvents = await startChild(
      devScript,
      {
        PORT: String(port),
        OUTBOX_DIR: outbox,
        FEATURE_EMAIL_SENT_EVENT: 'true',
        EVENT_OUTBOX_FILE: events,
        PGLITE_DIR: join(outbox, 'pglite-events'),
      },
      port,
    );
  });

  afterAll(async () => {
    withEvents.child.kill('SIGINT');
    await withEvents.exited;
  });

  it('then the banner names the events file by its absolute path', () => {
    expect(withEvents.stdout()).toContain(events);
  });

  it("then the README's sample bounce, POSTed with a feedback token, is read as a bounce of one of make dev's mails and its email.bounced event is appended to the events file", async () => {
    const answer = await request(`${withEvents.url}${FEEDBACK_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'message/rfc822', ...(await bearer({ roles: ['feedback'] })) },
      body: await readFile(join(root, 'docs', 'examples', 'bounce.eml')),
    });

    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ kind: 'dsn', correlated: true, recipients: [{ classification: 'hard' }] });
    const lines = (await readFile(events, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; id: string });
    expect(lines.filter((event) => event.type.endsWith('.email.bounced.v1')).map((event) => event.id)).toEqual(
      (answer.body as { eventIds: string[] }).eventIds,
    );
  });

  it('then /health reports Kafka DISABLED, not UP', async () => {
    const answer = await request(`${withEvents.url}/health`);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ components: { kafka: { status: 'DISABLED' } } });
  });
});

it.each(['/swagger-ui/', '/openapi.json', '/openapi.yaml', '/schemas/email-sent.v1.json'])(
  'when %s is asked, then docs serves it',
  async (path) => {
    expect((await request(`${dev.url}${path}`)).status).toBe(200);
  },
);

it("when Expect: 100-continue comes with a body over the send route's limit (attachments included), then the dev server answers 413 and never 100 Continue", async () => {
  const client = await openRaw(dev.url);

  client.socket.write(
    `POST ${SEND_MAIL_PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\nExpect: 100-continue\r\n\r\n`,
  );
  const received = await client.closed;

  expect(statuses(received)).toEqual([413]);
  expect(received).toContain('"message":"http.body.toolarge"');
});

it.each(['/readyz', '/metrics', '/nowhere'])(
  'when %s, a path the HTTPRoute does not route, is asked, then the dev router answers 404 as the gateway would',
  async (path) => {
    // Plain fetch: the spec documents what each function answers on its own port, not the gateway's 404.
    const answer = await fetch(`${dev.url}${path}`);

    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-b3-traceid')).toMatch(/^[0-9a-f]{32}$/);
    expect(await answer.json()).toMatchObject({ message: 'http.route.notfound', details: [] });
  },
);

describe('issue 27: each function behind the one dev port', () => {
  it.each(
    ['send-mail', 'health', 'docs'].flatMap((fn) => ['livez', 'readyz', 'metrics'].map((probe) => ({ fn, probe }))),
  )('when /$fn/$probe is asked, then that function answers it as on its own port', async ({ fn, probe }) => {
    const answer = await fetch(`${dev.url}/${fn}/${probe}`);

    expect(answer.status).toBe(200);
    const text = await answer.text();
    if (probe === 'metrics') expect(text).toContain(`function="${fn}"`);
    else expect(JSON.parse(text)).toEqual({ status: 'UP' });
  });

  it('when it starts, then the banner names where the probes and metrics are', () => {
    expect(dev.stdout()).toMatch(/\/<function>\/livez/);
  });

  it('when it runs on another port with events on, then each event points its dataschema at that port', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'dev-events-'));
    const events = join(dir, 'events.jsonl');
    const other = await startChild(
      devScript,
      {
        PORT: String(port),
        OUTBOX_DIR: dir,
        FEATURE_EMAIL_SENT_EVENT: 'true',
        EVENT_OUTBOX_FILE: events,
        PGLITE_DIR: join(dir, 'pglite'),
      },
      port,
    );
    try {
      const token = /Authorization: Bearer ([\w.-]+)'/.exec(other.stdout())?.[1] ?? '';
      const answer = await postJson(`${other.url}${SEND_MAIL_PATH}`, validRequest, {
        Authorization: `Bearer ${token}`,
      });

      expect(answer.status).toBe(200);
      const [line] = (await readFile(events, 'utf8')).split('\n');
      expect((JSON.parse(line ?? '{}') as { dataschema?: string }).dataschema).toBe(
        `http://localhost:${port}/schemas/email-sent.v1.json`,
      );
    } finally {
      other.child.kill('SIGINT');
      await other.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("issue 29: make dev's story, with the database migrated and the suppression check on as make dev runs it", () => {
  let story: ChildFunction;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-story-'));
    const env = {
      OUTBOX_DIR: join(dir, 'mails'),
      EVENT_OUTBOX_FILE: join(dir, 'events.jsonl'),
      PGLITE_DIR: join(dir, 'pglite'),
    };
    const migrated = await runToEnd([devScript[0] as string, join(root, 'scripts', 'migrate.ts')], env);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    const port = await freePort();
    story = await startChild(
      devScript,
      { ...env, PORT: String(port), SUPPRESSION_CHECK: 'required', FEATURE_EMAIL_SENT_EVENT: 'true' },
      port,
    );
  });

  afterAll(async () => {
    story.child.kill('SIGINT');
    await story.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it("when a bounce of a mail sent in make dev is POSTed, then the mail's timeline shows sent then bounced, and the next send to that address is refused with 422 and no mail", async () => {
    const auth = await bearer();
    const mail = { ...validRequest, to_address: 'gone-in-dev@mailinator.com' };
    const first = await postJson(`${story.url}${SEND_MAIL_PATH}`, mail, auth);
    expect(first.status).toBe(200);
    const { messageId } = first.body as { messageId: string };
    // The DSN an MTA would send back to the mail's own VERP address (make dev's local bounce settings).
    const verp = createVerp(loadConfig(sendMailSettings, { ENVIRONMENT: 'local' }));
    const bounce = dsnReport({
      to: verp?.address(messageId.slice(1, messageId.indexOf('@'))) ?? '',
      recipient: mail.to_address,
    });
    const report = await request(`${story.url}${FEEDBACK_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'message/rfc822', ...(await bearer({ roles: ['feedback'] })) },
      body: bounce,
    });
    expect(report.status).toBe(202);
    expect(report.body).toMatchObject({ correlated: true, messageId, recipients: [{ classification: 'hard' }] });

    // The events file is the dev Trigger: the recorder takes both events within moments.
    const timelineUrl = `${story.url}/api/rest/v1/emails/${encodeURIComponent(messageId)}`;
    const timeline = await eventually(
      () => request(timelineUrl, { headers: auth }),
      (answer) => ((answer.body as { events?: unknown[] }).events ?? []).length === 2,
      { what: "the mail's timeline with its bounce", timeoutMs: 15_000 },
    );
    expect((timeline.body as { events: { type: string }[] }).events.map((event) => event.type)).toEqual([
      'email.sent',
      'email.bounced',
    ]);
    const next = await postJson(`${story.url}${SEND_MAIL_PATH}`, mail, auth);
    expect(next.status).toBe(422);
    expect((next.body as { message: string }).message).toBe('email.recipient.suppressed');
    expect(story.stderr()).toBe('');
  });
});
