/**
 * Fault suite: SMTP peers that fail on their own terms. One that accepts TCP and never greets (finding 4:
 * the breaker must open after 3 consecutive failures at any request rate), one that drops the connection
 * mid-DATA, one that takes the whole message and never answers the final dot (RFC 1047's window: the
 * only truthful answer is 502 email.send.unknown, with its log line). The ledger is checked each time.
 */
import { UNKNOWN_CODE } from '../support/faults/ledger';
import { startScriptedSmtp, type ScriptedSmtpServer } from '../support/faults/scripted-smtp';
import { runScenario } from '../support/faults/scenario';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { startSilentServer } from '../support/smtp-server';

jest.setTimeout(60_000);

let kafka: KafkaMock;
let scripted: ScriptedSmtpServer;

beforeAll(async () => {
  kafka = await startKafkaMock();
  scripted = await startScriptedSmtp(() => 'accept');
});

afterAll(async () => {
  await scripted?.stop();
  await kafka?.stop();
});

beforeEach(() => {
  scripted.mails.length = 0;
});

describe('finding 4: blackholed SMTP', () => {
  it('when SMTP accepts TCP and never greets, at one request every 6.5 s, then the breaker opens after 3 failures and later answers are a fast 503 email.send.unavailable, and the ledger holds', async () => {
    const silent = await startSilentServer();
    try {
      const ledger = await runScenario({ smtpUrl: silent.url, mails: () => [], kafka }, {}, async ({ send }) => {
        // A low rate: each failure takes the 2 s connection/greeting timeout, then a pause of 4.5 s,
        // so a 10 s rolling window never sees 3 failures: only a consecutive-failure rule opens the breaker.
        for (let i = 0; i < 3; i += 1) {
          await send(`blackhole-${i}@mailinator.com`);
          await new Promise((resolve) => setTimeout(resolve, 4500));
        }
        await send('blackhole-3@mailinator.com');
        await send('blackhole-4@mailinator.com');
      });

      expect(ledger.report()).toBe('');
      const [first, second, third, ...later] = ledger.requests;
      for (const failed of [first, second, third]) expect(failed?.answer?.status).toBe(502);
      for (const refused of later) {
        expect(refused.answer).toEqual({ status: 503, code: 'email.send.unavailable' });
        expect(refused.elapsedMs).toBeLessThan(500);
      }
    } finally {
      await silent.stop();
    }
  });
});

describe('SMTP failing during DATA', () => {
  it('when SMTP drops the connection mid-DATA for every other mail, then an error answer sent no mail and each 200 has its mail and event', async () => {
    scripted.faultFor = (recipient) => (recipient.startsWith('drop-') ? 'drop-mid-data' : 'accept');
    // A large body arrives in several reads, so the drop comes before the final dot.
    const text = `${'a line of a long mail body, long enough to span several TCP reads\n'.repeat(700)}`;
    const ledger = await runScenario(
      { smtpUrl: scripted.url, mails: () => scripted.mails, kafka },
      {},
      async ({ send }) => {
        for (let i = 0; i < 4; i += 1) {
          await send(`drop-${i}@mailinator.com`, { text });
          await send(`keep-${i}@mailinator.com`, { text });
        }
      },
    );

    expect(ledger.report()).toBe('');
    expect(scripted.droppedMidData()).toBeGreaterThan(0);
    for (const request of ledger.requests.filter((entry) => entry.to.startsWith('drop-')))
      expect(request.answer?.status).not.toBe(200);
  });

  it('when SMTP takes the whole message and never answers the final dot, then the answer is 502 email.send.unknown with its "mail outcome unknown" line', async () => {
    scripted.faultFor = () => 'no-reply-after-data';
    const ledger = await runScenario(
      { smtpUrl: scripted.url, mails: () => scripted.mails, kafka },
      {},
      async ({ send }) => {
        await Promise.all([send('silent-dot-0@mailinator.com'), send('silent-dot-1@mailinator.com')]);
      },
    );

    expect(ledger.report()).toBe('');
    expect(scripted.unanswered()).toBe(2);
    expect(ledger.requests.map((request) => request.answer)).toEqual([
      { status: 502, code: UNKNOWN_CODE },
      { status: 502, code: UNKNOWN_CODE },
    ]);
  });
});

describe('issue 26 finding 1: a desynchronised SMTP connection', () => {
  it('when SMTP duplicates its reply to RCPT TO for some mails, then those are answered as not sent and left no mail, every other mail gets its own 200, and the ledger holds', async () => {
    scripted.faultFor = (recipient) => (recipient.startsWith('dup-') ? 'duplicate-reply' : 'accept');
    const ledger = await runScenario(
      { smtpUrl: scripted.url, mails: () => scripted.mails, kafka },
      {},
      async ({ send }) => {
        // One in four fails: below the smtp breaker's threshold, so every mail reaches the server.
        for (let i = 0; i < 2; i += 1) {
          await send(`dup-${i}@mailinator.com`);
          for (const n of [0, 1, 2]) await send(`keep-${i}${n}@mailinator.com`);
        }
      },
    );

    expect(ledger.report()).toBe('');
    expect(scripted.strayReplies()).toBe(2);
    for (const request of ledger.requests)
      expect({ to: request.to, status: request.answer?.status, code: request.answer?.code }).toEqual({
        to: request.to,
        ...(request.to.startsWith('dup-')
          ? { status: 502, code: 'email.send.error' }
          : { status: 200, code: undefined }),
      });
    expect(scripted.mails.map((mail) => mail.to[0]).sort()).toEqual(
      ['keep-00', 'keep-01', 'keep-02', 'keep-10', 'keep-11', 'keep-12'].map((name) => `${name}@mailinator.com`),
    );
  });

  it('when SMTP sends one extra line after the final reply, then that mail is 200 once, the connection is never reused, and the mails after it are answered truthfully', async () => {
    scripted.faultFor = (recipient) => (recipient.startsWith('extra-') ? 'extra-line' : 'accept');
    const ledger = await runScenario(
      { smtpUrl: scripted.url, mails: () => scripted.mails, kafka },
      {},
      async ({ send }) => {
        for (let i = 0; i < 3; i += 1) {
          await send(`extra-${i}@mailinator.com`);
          await Promise.all([send(`after-${i}a@mailinator.com`), send(`after-${i}b@mailinator.com`)]);
        }
      },
    );

    expect(ledger.report()).toBe('');
    expect(scripted.strayReplies()).toBeGreaterThanOrEqual(3);
    for (const request of ledger.requests.filter((entry) => entry.to.startsWith('extra-')))
      expect(request.answer?.status).toBe(200);
  });
});
