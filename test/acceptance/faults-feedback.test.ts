/**
 * Issue 28, the fault suite's ledger for feedback: the production bundle in http mode, its events to a real
 * CloudEvents sink that goes down, hangs, fails every other time, or is slow while SIGTERM arrives. The
 * ledger: every event id a 202 named is stored at the sink or in a dead-letter line on stdout (exactly one
 * id per recipient: a retried POST names the same ids), and the sink stores nothing no report caused.
 */
import { join } from 'node:path';
import { FEEDBACK_PATH } from '../../functions/feedback/identity';
import { createVerp } from '../../shared/verp';
import { dsnReport } from '../fixtures/feedback-reports';
import { eventually, within } from '../support/eventually';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { freePort, startChild, type ChildFunction } from '../support/processes';
import { bearer, DEV_SECRET } from '../support/tokens';

jest.setTimeout(60_000);

const BUNDLE = join(__dirname, '..', '..', 'dist', 'feedback', 'main.js');
const VERP = { BOUNCE_DOMAIN: 'bounces.example.com', BOUNCE_VERP_SECRET: 'faults-feedback-verp-secret-0123456789' };
const OURS =
  createVerp({ ...VERP, BOUNCE_LOCAL_PART: 'bounces' })?.address('0f8fad5b-d9cb-469f-a165-70867728950e') ?? '';
const DEAD_LETTER = ' event not published: dead letter';

let sink: EventReceiver;
let auth: Record<string, string>;

beforeAll(async () => {
  sink = await startEventReceiver();
  auth = await bearer({ roles: ['feedback'] });
});

afterAll(() => sink.stop());

interface Ledger {
  /** Event ids named by 202 answers. */
  readonly answered: string[];
  /** Requests whose answer never came (cut by SIGTERM). */
  unanswered: number;
  /** Requests that arrived once the drain had begun: 503 http.server.draining, never run, nothing published. */
  refused: number;
}

async function startFeedbackBundle(): Promise<ChildFunction> {
  const port = await freePort();
  return startChild(
    [BUNDLE],
    {
      ENVIRONMENT: 'dev',
      LOG_FORMAT: 'ecs',
      PORT: String(port),
      ...VERP,
      AUTH_HS256_SECRET: DEV_SECRET,
      K_SINK: sink.url,
      EVENT_HTTP_TIMEOUT_MS: '500',
      EVENT_HTTP_BREAKER_RESET_SECONDS: '1',
      SHUTDOWN_TIMEOUT_SECONDS: '5',
    },
    port,
  );
}

async function report(fn: ChildFunction, recipient: string, ledger: Ledger): Promise<void> {
  try {
    const answer = await fetch(`${fn.url}${FEEDBACK_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'message/rfc822', ...auth },
      body: dsnReport({ to: OURS, recipient }),
    });
    const body = (await answer.json()) as { eventIds?: string[]; message?: string };
    if (answer.status === 503 && body.message === 'http.server.draining') {
      ledger.refused += 1;
      return;
    }
    expect(answer.status).toBe(202);
    ledger.answered.push(...(body.eventIds ?? []));
  } catch (err) {
    // fetch failed (a TypeError of Node's realm, not Jest's): the connection was cut or refused, no answer came.
    if ((err as Error).message !== 'fetch failed') throw err;
    ledger.unanswered += 1;
  }
}

/** Every answered id once, at the sink or in a dead letter; nothing at the sink beyond what reports caused. */
function check(fn: ChildFunction, ledger: Ledger): string[] {
  const deadLettered = fn
    .stdout()
    .split('\n')
    .filter((line) => line.includes(DEAD_LETTER))
    .map((line) => (JSON.parse(line) as { cloudevent: { id: string } }).cloudevent.id);
  const stored = [...sink.distinctIds()].map((key) => key.split(' ').pop() ?? key);
  const problems: string[] = [];
  for (const id of ledger.answered)
    if (!stored.includes(id) && !deadLettered.includes(id))
      problems.push(`answered ${id}: neither stored nor dead-lettered`);
  if (ledger.unanswered === 0)
    for (const id of stored) if (!ledger.answered.includes(id)) problems.push(`stored ${id}: no answer named it`);
  return problems;
}

// Event ids follow from the report: each scenario starts with an empty sink.
beforeEach(() => {
  sink.answer(202);
  sink.reset();
});

const sinkFaults: [string, () => Promise<void>, () => Promise<void>][] = [
  ['down (connections refused)', () => sink.down(), () => sink.up()],
  ['hanging (never answers)', () => Promise.resolve(sink.answer('hang')), () => Promise.resolve(sink.answer(202))],
  ['failing with 503', () => Promise.resolve(sink.answer(503)), () => Promise.resolve(sink.answer(202))],
];

describe.each(sinkFaults)('when the sink is %s', (_, breakIt, mendIt) => {
  it('then every 202 names events that are stored or dead-lettered, none lost, none invented', async () => {
    const fn = await startFeedbackBundle();
    const ledger: Ledger = { answered: [], unanswered: 0, refused: 0 };
    try {
      await report(fn, 'before@example.org', ledger);
      await breakIt();
      for (let n = 0; n < 6; n++) await report(fn, `during-${n}@example.org`, ledger);
      await mendIt();
      await eventually(
        async () => {
          await report(fn, `after-${ledger.answered.length}@example.org`, ledger);
          return sink.stored().some(({ event }) => ledger.answered.at(-1) === event.id);
        },
        Boolean,
        { what: 'an event stored again (the breaker closed)', timeoutMs: 10_000, intervalMs: 300 },
      );
    } finally {
      fn.child.kill('SIGTERM');
      await fn.exited;
    }

    expect(ledger.answered.length).toBeGreaterThanOrEqual(8);
    expect(check(fn, ledger)).toEqual([]);
  });
});

it('when SIGTERM arrives with reports in flight to a slow sink, then it exits 0 and every answered event is stored or dead-lettered', async () => {
  sink.answer(202);
  sink.delay(300);
  const fn = await startFeedbackBundle();
  const ledger: Ledger = { answered: [], unanswered: 0, refused: 0 };
  try {
    const inFlight = Array.from({ length: 10 }, (_, n) => report(fn, `sigterm-${n}@example.org`, ledger));
    await eventually(
      () => sink.requestCount(),
      (count) => count > 0,
      { what: 'the first event at the sink' },
    );
    fn.child.kill('SIGTERM');
    await Promise.all(inFlight);
    expect(await within(fn.exited, 10_000, 'not exited within 10 s')).toBe(0);
  } finally {
    sink.delay(0);
  }

  // A report that reached the instance only once SIGTERM had begun the drain is refused unrun (503).
  expect(ledger.answered.length + ledger.unanswered + ledger.refused).toBe(10);
  expect(ledger.answered.length).toBeGreaterThan(0);
  expect(check(fn, ledger)).toEqual([]);
});
