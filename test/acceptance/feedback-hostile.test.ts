/**
 * Issue 28: malformed and hostile reports against the production bundle, run as the container runs it but
 * with a small heap (--max-old-space-size), so that memory the parser does not bound would kill it. Each
 * report gets its answer (202, or the 4xx its request earns), none causes an event, and the process is still
 * serving at the end. The reports are addressed to a valid VERP address: nothing but the report itself stops
 * an event.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEEDBACK_PATH } from '../../functions/feedback/identity';
import { createVerp, verpSettings } from '../../shared/verp';
import { dsnReport } from '../fixtures/feedback-reports';
import { freePort, startChild, type ChildFunction } from '../support/processes';
import { bearer } from '../support/tokens';

jest.setTimeout(120_000);

const BUNDLE = join(__dirname, '..', '..', 'dist', 'feedback', 'main.js');
const MIB = 1024 * 1024;
const OURS = createVerp({
  BOUNCE_DOMAIN: verpSettings.localDefaults?.BOUNCE_DOMAIN,
  BOUNCE_LOCAL_PART: 'bounces',
  BOUNCE_VERP_SECRET: verpSettings.localDefaults?.BOUNCE_VERP_SECRET,
})!.address('0f8fad5b-d9cb-469f-a165-70867728950e');

const head = (extra = ''): string =>
  `X-Original-To: ${OURS}\r\nFrom: MAILER-DAEMON@relay.example.net\r\nSubject: Undelivered Mail Returned to Sender\r\n${extra}`;
const multipart = (boundary: string, body: string): string =>
  `${head(`MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"\r\n`)}\r\n${body}`;
const statusPart = (fields: string): string =>
  `--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.example.net\r\n\r\n${fields}\r\n--B--\r\n`;
const nested = (depth: number): string => {
  let body = 'innermost\r\n';
  for (let level = depth; level > 0; level--)
    body = `--b${level}\r\nContent-Type: multipart/mixed; boundary="b${level + 1}"\r\n\r\n${body}\r\n--b${level}--\r\n`;
  return multipart('b1', body);
};
const bounceInBounce = (depth: number): string => {
  let mail = dsnReport({ to: OURS, recipient: 'inner@example.org' }).toString();
  for (let level = 0; level < depth; level++)
    mail = `${head('MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="F"\r\n')}\r\n--F\r\nContent-Type: message/rfc822\r\n\r\n${mail}\r\n--F--\r\n`;
  return mail;
};

/** Odd but readable: read as written, and each causes its one event. */
const ODD: readonly [string, Buffer | string, string][] = [
  [
    'CR-only line endings',
    dsnReport({ to: OURS, recipient: 'cr@example.org' }).toString().replace(/\r\n/g, '\r'),
    'cr@example.org',
  ],
  [
    'mixed line endings (CRLF and bare LF)',
    dsnReport({ to: OURS, recipient: 'mixed@example.org' })
      .toString()
      .split('\r\n')
      .map((line, n) => line + (n % 2 ? '\n' : '\r\n'))
      .join(''),
    'mixed@example.org',
  ],
  ['a bounce inside a bounce, 2 deep', bounceInBounce(2), 'inner@example.org'],
  ['a bounce forwarded inside 12 mails', bounceInBounce(12), 'inner@example.org'],
  [
    'a Diagnostic-Code of 1 MiB',
    multipart(
      'B',
      statusPart(
        `Final-Recipient: rfc822; long@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 ${'IP '.repeat(0.33 * MIB)}`,
      ),
    ),
    'long@example.org',
  ],
];

/** [what it is, the report's bytes, the status it earns]: none causes an event. */
const HOSTILE: readonly [string, Buffer | string, number][] = [
  ['headers only, no body', head(), 202],
  ['a blank line only', '\r\n', 202],
  ['one byte', 'x', 202],
  ['truncated before its status part', dsnReport({ to: OURS, recipient: 'cut@example.org' }).subarray(0, 500), 202],
  ['a multipart without a boundary parameter', `${head('Content-Type: multipart/report\r\n')}\r\nno parts\r\n`, 202],
  ['a boundary that never appears', multipart('never', 'Final-Recipient: rfc822; a@example.org\r\n'), 202],
  [
    'a boundary opened and never closed',
    multipart('B', '--B\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; open'),
    202,
  ],
  ['MIME nested 200 levels deep', nested(200), 202],
  ['5000 MIME parts', multipart('P', `${'--P\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(5000)}--P--\r\n`), 202],
  ['one header line of 1.5 MiB', `${head(`X-Long: ${'a'.repeat(1.5 * MIB)}\r\n`)}\r\nbody\r\n`, 202],
  ['20000 header lines', `${head('X-Many: 1\r\n'.repeat(20000))}\r\nbody\r\n`, 202],
  [
    '8-bit bytes in the headers',
    Buffer.concat([
      Buffer.from(head()),
      Buffer.from([0x53, 0x75, 0x62, 0x3a, 0x20, 0xe9, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]),
      Buffer.from('body'),
    ]),
    202,
  ],
  [
    'invalid UTF-8 in the status fields',
    Buffer.concat([
      Buffer.from(multipart('B', statusPart('Final-Recipient: rfc822; '))),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x40, 0x78, 0x0d, 0x0a]),
    ]),
    202,
  ],
  ['NUL bytes throughout', Buffer.alloc(64 * 1024, 0), 202],
  [
    '2 MiB less a little of base64 garbage',
    `${head('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n')}\r\n${'!!!!'.repeat(0.49 * MIB)}`,
    202,
  ],
  [
    'broken quoted-printable',
    `${head('Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n')}\r\n=ZZ=\r\n=${'=3'.repeat(10000)}`,
    202,
  ],
  ['an unknown charset', `${head('Content-Type: text/plain; charset=x-nonsense-42\r\n')}\r\nUser unknown\r\n`, 202],
  ['an unknown transfer encoding', `${head('Content-Transfer-Encoding: x-rot13\r\n')}\r\nhello\r\n`, 202],
  [
    '10000 recipient groups',
    multipart(
      'B',
      statusPart(
        Array.from(
          { length: 10000 },
          (_, n) => `Final-Recipient: rfc822; r${n}@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n`,
        ).join('\r\n'),
      ),
    ),
    202,
  ],
  [
    'a Final-Recipient of 100 KiB',
    multipart(
      'B',
      statusPart(`Final-Recipient: rfc822; ${'a'.repeat(100 * 1024)}@example.org\r\nAction: failed\r\nStatus: 5.1.1`),
    ),
    202,
  ],
  [
    'a status of garbage and an unknown action',
    multipart('B', statusPart('Final-Recipient: rfc822; odd@example.org\r\nAction: exploded\r\nStatus: 9.9.9.9.9')),
    202,
  ],
  [
    'a text bounce of 1 MiB of "a@" with no space',
    `${head()}\r\nThis message was created automatically by mail delivery software.\r\n  ${'a@'.repeat(0.5 * MIB)}\r\n`,
    202,
  ],
  [
    'a text bounce of a million spaces and dashes',
    `${head()}\r\nThis message was created automatically by mail delivery software.\r\n${' -\r\n'.repeat(250000)}`,
    202,
  ],
  [
    '100000 lone local parts under a failed-address line',
    `${head()}\r\nThe following address(es) failed:\r\n${'\r\n  x\r\n'.repeat(100000)}`,
    202,
  ],
  [
    "Exchange's phrase with a run of a@a@a@… (1 MiB)",
    `${head()}\r\nDid not reach the following recipient(s): ${'a@'.repeat(0.5 * MIB)}\r\n`,
    202,
  ],
  ['30000 quoted lines', `${head()}\r\n${'> > > quoted, and quoted again, with no address\r\n'.repeat(30000)}`, 202],
  ['an HTML-only body of unclosed tags', `${head('Content-Type: text/html\r\n')}\r\n${'<'.repeat(MIB)}`, 202],
  [
    '10000 Original-Rcpt-To in a complaint',
    `${head('MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary="A"\r\n')}\r\n--A\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n${Array.from({ length: 10000 }, (_, n) => `Original-Rcpt-To: x${n}@example.org\r\n`).join('')}\r\n--A--\r\n`,
    202,
  ],
  [
    '10000 envelope addresses',
    `X-Original-To: ${'a@b.c, '.repeat(10000)}\r\nSubject: Undelivered\r\n\r\nbody\r\n`,
    202,
  ],
  ['a header of a@a@a@… (500 KiB)', `X-Original-To: ${'a@'.repeat(250 * 1024)}\r\nSubject: x\r\n\r\nbody\r\n`, 202],
  [
    'script and JSON instead of a recipient',
    multipart(
      'B',
      statusPart('Final-Recipient: rfc822; <script>alert(1)</script>",}\r\nAction: failed\r\nStatus: 5.1.1'),
    ),
    202,
  ],
  [
    '101 distinct recipients for one mail',
    multipart(
      'B',
      statusPart(
        Array.from(
          { length: 101 },
          (_, n) => `Final-Recipient: rfc822; many${n}@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n`,
        ).join('\r\n'),
      ),
    ),
    202,
  ],
  [
    'a delivery-status part of successes only',
    multipart('B', statusPart('Final-Recipient: rfc822; fine@example.org\r\nAction: delivered\r\nStatus: 2.0.0')),
    202,
  ],
  [
    'a report whose recipient has no domain',
    multipart('B', statusPart('Final-Recipient: rfc822; nobody@\r\nAction: failed\r\nStatus: 5.1.1')),
    202,
  ],
  ['just over 2 MiB', Buffer.alloc(2 * MIB + 1, 0x61), 413],
];

let dir: string;
let fn: ChildFunction;
let auth: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'feedback-hostile-'));
  auth = await bearer({ roles: ['feedback'] });
  const port = await freePort();
  fn = await startChild(
    ['--max-old-space-size=128', BUNDLE],
    {
      ENVIRONMENT: 'local',
      PORT: String(port),
      LOG_FORMAT: 'ecs',
      EVENT_OUTBOX_FILE: join(dir, 'events.jsonl'),
    },
    port,
  );
});

afterAll(async () => {
  fn.child.kill('SIGTERM');
  await fn.exited;
  rmSync(dir, { recursive: true, force: true });
});

it(`when ${HOSTILE.length} malformed and hostile reports are posted, then each gets its answer, none causes an event, and the process still serves`, async () => {
  expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
  const answers: { what: string; status: number; kind?: string; events?: number }[] = [];
  for (const [what, report] of HOSTILE) {
    const response = await fetch(`${fn.url}${FEEDBACK_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'message/rfc822', ...auth },
      body: report,
    });
    const body = (await response.json()) as { kind?: string; eventIds?: unknown[]; message?: string };
    answers.push({
      what,
      status: response.status,
      ...(response.status === 202 ? { kind: body.kind, events: body.eventIds?.length } : {}),
    });
  }

  expect(answers.map(({ what, status }) => ({ what, status }))).toEqual(
    HOSTILE.map(([what, , status]) => ({ what, status })),
  );
  for (const answer of answers.filter(({ status }) => status === 202))
    expect({ what: answer.what, events: answer.events }).toEqual({ what: answer.what, events: 0 });
  expect(existsSync(join(dir, 'events.jsonl')) ? readFileSync(join(dir, 'events.jsonl'), 'utf8') : '').toBe('');
  expect((await fetch(`${fn.url}/readyz`)).status).toBe(200);
});

it('when odd but readable reports are posted (CR-only or mixed line endings, a forwarded bounce), then each is read as written and causes its one event', async () => {
  for (const [what, report, recipient] of ODD) {
    const response = await fetch(`${fn.url}${FEEDBACK_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'message/rfc822', ...auth },
      body: report,
    });
    const body = (await response.json()) as {
      recipients?: { recipient: string; classification: string }[];
      eventIds?: unknown[];
    };
    expect({ what, status: response.status, recipients: body.recipients, events: body.eventIds?.length }).toEqual({
      what,
      status: 202,
      recipients: [expect.objectContaining({ recipient, classification: 'hard' })],
      events: 1,
    });
  }
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
  expect(events).toHaveLength(ODD.length);
  expect(fn.stdout()).not.toMatch(/"level":"(error|fatal)"|unhandled/);
});
