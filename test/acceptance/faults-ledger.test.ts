/**
 * The fault suite's own referee: each rule of the ledger, shown a small history that keeps it and one that
 * breaks it, so a failing scenario can be trusted to name a product fault and not a harness one.
 */
import type { ConsumedRecord } from '../support/kafka-mock/consumer';
import { Ledger, RULES, UNKNOWN_CODE, type LedgerAnswer } from '../support/faults/ledger';
import type { ReceivedMail } from '../support/smtp-server';

interface History {
  /** Requests by trace id, with their answer or none. */
  readonly requests: Record<string, LedgerAnswer | undefined>;
  /** Mails at the SMTP server: [Message-ID, X-B3-TraceId]. */
  readonly mails?: [string, string][];
  /** Events on the topic: [CloudEvent id, Message-ID]. */
  readonly events?: [string, string][];
  /** Dead-letter lines: [CloudEvent id, Message-ID, outcome]. */
  readonly deadLetters?: [string, string, 'failure' | 'unknown'][];
  /** Held dead letters of unknown outcomes: [CloudEvent id, Message-ID]. */
  readonly held?: [string, string][];
  /** "mail outcome unknown" lines: [Message-ID, trace id]. */
  readonly unknownLines?: [string, string][];
}

function ledgerOf(history: History): Ledger {
  const mails: ReceivedMail[] = (history.mails ?? []).map(([messageId, traceId]) => ({
    from: 'mailer@example.com',
    to: ['someone@mailinator.com'],
    raw: `From: mailer@example.com\r\nMessage-ID: <${messageId}>\r\nX-B3-TraceId: ${traceId}\r\n\r\nbody\r\n`,
  }));
  const records: ConsumedRecord[] = (history.events ?? []).map(([id, messageId]) => ({
    key: 'someone@mailinator.com',
    value: Buffer.from(JSON.stringify({ messageId })),
    headers: { ce_id: id, ce_subject: `<${messageId}>` },
  }));
  const lines = [
    JSON.stringify({ 'log.level': 'info', message: 'listening' }),
    ...(history.deadLetters ?? []).map(([id, messageId, outcome]) =>
      JSON.stringify({
        'log.level': 'error',
        message: 'email.sent event not published: dead letter',
        event: { action: 'publish', outcome, code: 'events.publish.failed' },
        cloudevent: { id, subject: `<${messageId}>`, data: { messageId: `<${messageId}>` } },
      }),
    ),
    ...(history.held ?? []).map(([id, messageId]) =>
      JSON.stringify({
        'log.level': 'error',
        message: 'email.sent event not published: dead letter',
        event: { action: 'publish', outcome: 'unknown', code: 'events.publish.held' },
        cloudevent: { id, subject: `<${messageId}>`, data: { messageId: `<${messageId}>` } },
      }),
    ),
    ...(history.unknownLines ?? []).map(([messageId, traceId]) =>
      JSON.stringify({
        'log.level': 'error',
        message: 'mail outcome unknown',
        event: { action: 'deliver', outcome: 'unknown', code: UNKNOWN_CODE },
        email: { message_id: `<${messageId}>` },
        trace: { id: traceId },
      }),
    ),
  ];
  const ledger = new Ledger({ mails: () => mails, records: () => records, stdout: () => `${lines.join('\n')}\n` });
  for (const [traceId, answer] of Object.entries(history.requests)) {
    const request = ledger.begin(traceId, 'someone@mailinator.com');
    if (answer) request.answer = answer;
    else request.noAnswer = 'ECONNRESET';
  }
  return ledger;
}

const ok = (messageId: string): LedgerAnswer => ({ status: 200, messageId: `<${messageId}>` });
const unknown: LedgerAnswer = { status: 502, code: UNKNOWN_CODE };

const cases: { name: string; history: History; broken: string[] }[] = [
  {
    name: 'a 200 with its mail and its event',
    history: {
      requests: { t1: ok('m1') },
      mails: [['m1', 't1']],
      events: [
        ['e1', 'm1'],
        ['e1', 'm1'],
      ],
    },
    broken: [],
  },
  {
    name: 'a 200 with its mail and a dead letter',
    history: { requests: { t1: ok('m1') }, mails: [['m1', 't1']], deadLetters: [['e1', 'm1', 'unknown']] },
    broken: [],
  },
  {
    name: 'a timed-out dead letter that landed after all, same id',
    history: {
      requests: { t1: ok('m1') },
      mails: [['m1', 't1']],
      events: [['e1', 'm1']],
      deadLetters: [['e1', 'm1', 'unknown']],
    },
    broken: [],
  },
  {
    name: 'an error answer and no mail',
    history: { requests: { t1: { status: 502, code: 'email.send.error' }, t2: undefined } },
    broken: [],
  },
  {
    name: 'an unknown outcome with its line and held event, delivered after all',
    history: { requests: { t1: unknown }, mails: [['m1', 't1']], unknownLines: [['m1', 't1']], held: [['e1', 'm1']] },
    broken: [],
  },
  {
    name: 'an unknown outcome with its line and held event, not delivered',
    history: { requests: { t1: unknown }, unknownLines: [['m1', 't1']], held: [['e1', 'm1']] },
    broken: [],
  },
  {
    name: 'an unknown outcome without its held event',
    history: { requests: { t1: unknown }, mails: [['m1', 't1']], unknownLines: [['m1', 't1']] },
    broken: [RULES.unknownIsHeld],
  },
  {
    name: 'an unknown outcome whose event was published',
    history: {
      requests: { t1: unknown },
      mails: [['m1', 't1']],
      unknownLines: [['m1', 't1']],
      held: [['e1', 'm1']],
      events: [['e1', 'm1']],
    },
    broken: [RULES.unknownIsHeld],
  },
  { name: 'a 200 without its mail', history: { requests: { t1: ok('m1') } }, broken: [RULES.okHasOneMail] },
  {
    name: 'a 200 whose mail arrived twice',
    history: {
      requests: { t1: ok('m1') },
      mails: [
        ['m1', 't1'],
        ['m1', 't1'],
      ],
      events: [['e1', 'm1']],
    },
    broken: [RULES.okHasOneMail],
  },
  {
    name: 'a 502 email.send.error followed by a delivery',
    history: {
      requests: { t1: { status: 502, code: 'email.send.error' } },
      mails: [['m1', 't1']],
      events: [['e1', 'm1']],
    },
    broken: [RULES.errorSentNothing],
  },
  {
    name: 'a mail for a request that got no answer',
    history: { requests: { t1: undefined }, mails: [['m1', 't1']], events: [['e1', 'm1']] },
    broken: [RULES.unansweredSentNothing],
  },
  {
    name: 'a mail that matches no request',
    history: { requests: {}, mails: [['m1', 'tx']], events: [['e1', 'm1']] },
    broken: [RULES.mailIsAnswered],
  },
  {
    name: 'an unknown answer without its line',
    history: { requests: { t1: unknown } },
    broken: [RULES.unknownIsLogged],
  },
  {
    name: 'an unknown answer whose delivered mail no line names',
    history: { requests: { t1: unknown }, mails: [['m1', 't1']], unknownLines: [['m9', 't1']], held: [['e9', 'm9']] },
    broken: [RULES.mailIsAnswered],
  },
  {
    name: 'a delivered mail with neither event nor dead letter',
    history: { requests: { t1: ok('m1') }, mails: [['m1', 't1']] },
    broken: [RULES.mailHasOneEvent],
  },
  {
    name: 'a delivered mail with two event ids',
    history: {
      requests: { t1: ok('m1') },
      mails: [['m1', 't1']],
      events: [
        ['e1', 'm1'],
        ['e2', 'm1'],
      ],
    },
    broken: [RULES.mailHasOneEvent],
  },
  {
    name: 'a delivered mail dead-lettered twice',
    history: {
      requests: { t1: ok('m1') },
      mails: [['m1', 't1']],
      deadLetters: [
        ['e1', 'm1', 'unknown'],
        ['e1', 'm1', 'unknown'],
      ],
    },
    broken: [RULES.mailHasOneEvent],
  },
  {
    name: 'a dead letter marked failure that landed',
    history: {
      requests: { t1: ok('m1') },
      mails: [['m1', 't1']],
      events: [['e1', 'm1']],
      deadLetters: [['e1', 'm1', 'failure']],
    },
    broken: [RULES.refusedNeverLands],
  },
  {
    name: 'an event for a mail never delivered',
    history: { requests: { t1: { status: 503, code: 'email.send.unavailable' } }, events: [['e1', 'm1']] },
    broken: [RULES.noEventWithoutMail],
  },
];

describe('the ledger', () => {
  it.each(cases)(
    'when the history is $name, then the check names exactly the rules it breaks',
    ({ history, broken }) => {
      const ledger = ledgerOf(history);

      expect([...new Set(ledger.check().map((violation) => violation.rule))].sort()).toEqual([...broken].sort());
      expect(ledger.report() === '').toBe(broken.length === 0);
    },
  );
});
