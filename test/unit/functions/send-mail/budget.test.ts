import { kafkaTimings } from '../../../../shared/events/kafka-timings';
import { eventPublishMaxMs, eventSettleMs, timeBudgetProblems } from '../../../../functions/send-mail/budget';
import { sendMailSettings } from '../../../../functions/send-mail/settings';
import { loadConfig } from '../../../../shared/config';
import { TIME_BUDGET_DEFAULTS } from '../../../fixtures/time-budget';

const defaults = { ...TIME_BUDGET_DEFAULTS, AUTH_ISSUER: 'https://idp.example.com' };

/** The setting names a problem starts with: what an operator has to change. */
const named = (problems: string[]): string[] => problems.map((problem) => problem.split(':')[0] ?? '');

describe('timeBudgetProblems', () => {
  it('when the defaults are used, then the budget holds', () => {
    expect(timeBudgetProblems(defaults)).toEqual([]);
  });

  const cases = [
    {
      name: 'SMTP send deadline longer than the request',
      change: { SMTP_SEND_TIMEOUT_SECONDS: 40 },
      refused: ['REQUEST_TIMEOUT_SECONDS'],
      mentions: ['SMTP_SEND_TIMEOUT_SECONDS'],
    },
    {
      name: 'auth + SMTP + Kafka over the request',
      change: { REQUEST_TIMEOUT_SECONDS: 24 },
      refused: ['REQUEST_TIMEOUT_SECONDS'],
      mentions: ['AUTH_JWKS_TIMEOUT_MS', 'KAFKA_SEND_TIMEOUT_MS'],
    },
    {
      name: 'an SMTP socket timeout longer than the send deadline',
      change: { SMTP_SOCKET_TIMEOUT_SECONDS: 25 },
      refused: ['SMTP_SOCKET_TIMEOUT_SECONDS'],
      mentions: ['SMTP_SEND_TIMEOUT_SECONDS'],
    },
    {
      name: 'a greeting timeout longer than the send deadline',
      change: { SMTP_GREETING_TIMEOUT_SECONDS: 30 },
      refused: ['SMTP_GREETING_TIMEOUT_SECONDS'],
      mentions: [],
    },
    {
      name: 'a drain too short for the event of a mail already out',
      change: { SHUTDOWN_TIMEOUT_SECONDS: 3 },
      refused: ['SHUTDOWN_TIMEOUT_SECONDS'],
      mentions: ['KAFKA_SEND_TIMEOUT_MS'],
    },
  ];
  it.each(cases)('when $name, then it is refused naming the settings', ({ change, refused, mentions }) => {
    const problems = timeBudgetProblems({ ...defaults, ...change });

    expect(named(problems)).toEqual(refused);
    for (const name of mentions) expect(problems.join('\n')).toContain(name);
  });

  const check = {
    SUPPRESSION_CHECK: 'required',
    DATABASE_CONNECT_TIMEOUT_MS: 2000,
    DATABASE_STATEMENT_TIMEOUT_MS: 2000,
  };

  it('when the suppression check is on at its defaults, then the budget still holds', () => {
    expect(timeBudgetProblems({ ...defaults, ...check })).toEqual([]);
  });

  it("when the suppression check's query could outlast what the request leaves it, then start-up is refused naming its timeouts", () => {
    const problems = timeBudgetProblems({ ...defaults, ...check, DATABASE_STATEMENT_TIMEOUT_MS: 5000 });

    expect(named(problems)).toEqual(['REQUEST_TIMEOUT_SECONDS']);
    expect(problems.join('\n')).toContain('DATABASE_CONNECT_TIMEOUT_MS + DATABASE_STATEMENT_TIMEOUT_MS');
  });

  it('when the suppression check is off, then the database timeouts take no share', () => {
    expect(
      timeBudgetProblems({ ...defaults, ...check, SUPPRESSION_CHECK: 'off', DATABASE_STATEMENT_TIMEOUT_MS: 60_000 }),
    ).toEqual([]);
  });

  it('when the event toggle is off and tokens are HS256 only, then only the SMTP share counts', () => {
    const config = {
      ...defaults,
      FEATURE_EMAIL_SENT_EVENT: false,
      AUTH_ISSUER: undefined,
      REQUEST_TIMEOUT_SECONDS: 20,
      SHUTDOWN_TIMEOUT_SECONDS: 1,
    };

    expect(timeBudgetProblems(config)).toEqual([]);
    expect(eventSettleMs(config)).toBe(0);
  });
});

it.each([300, 1000, 2000, 30_000])(
  'when KAFKA_SEND_TIMEOUT_MS is %i, then the publish share covers the Kafka breaker backstop',
  (ms) => {
    expect(eventPublishMaxMs({ ...defaults, KAFKA_SEND_TIMEOUT_MS: ms })).toBeGreaterThanOrEqual(
      kafkaTimings(ms).backstopMs,
    );
  },
);

describe('loadConfig', () => {
  it('when the timeouts do not nest, then start-up is refused with config.invalid naming them', () => {
    let error: unknown;
    try {
      loadConfig(sendMailSettings, { SMTP_SEND_TIMEOUT_SECONDS: '40' });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'config.invalid' });
    expect(named((error as { problems: string[] }).problems)).toEqual(['REQUEST_TIMEOUT_SECONDS']);
  });
});
