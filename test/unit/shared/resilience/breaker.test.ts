import pino from 'pino';
import {
  BreakerRefusedError,
  BreakerTimeoutError,
  createBreaker,
  rollingWindowMs,
  type Breaker,
  type BreakerCallResult,
  type BreakerObserver,
  type BreakerSettings,
  type BreakerState,
} from '../../../../shared/resilience';

const logger = pino({ level: 'silent' });
const TIMEOUT_MS = 5000;
// The old policy: percentage over a 10 s window with a volume of 3; at one call per timeout it never holds 3.
const settings: BreakerSettings = {
  timeoutMs: TIMEOUT_MS,
  errorThresholdPercentage: 50,
  volumeThreshold: 3,
  resetTimeoutMs: 60_000,
  capacity: 10,
  windowMs: 10_000,
};

type Outcome = 'hang' | 'fail' | 'permanent' | 'ok';
const permanent = Object.assign(new Error('550 no such user'), { permanent: true });

/** A fake peer: each call does what the next scripted outcome says. */
function fakePeer(): { call: (outcome: Outcome) => Promise<string> } {
  return {
    call: (outcome) => {
      if (outcome === 'hang') return new Promise<string>(() => undefined);
      if (outcome === 'fail') return Promise.reject(new Error('connection refused'));
      if (outcome === 'permanent') return Promise.reject(permanent);
      return Promise.resolve('ok');
    },
  };
}

function recordingObserver(): BreakerObserver & { results: BreakerCallResult[]; states: BreakerState[] } {
  const results: BreakerCallResult[] = [];
  const states: BreakerState[] = [];
  return {
    results,
    states,
    stateChanged: (_name, state) => states.push(state),
    call: (_name, result) => results.push(result),
  };
}

function breakerFor(extra: Partial<BreakerSettings> = {}, observer?: BreakerObserver): Breaker<[Outcome], string> {
  return createBreaker(
    'peer',
    fakePeer().call,
    { ...settings, isPermanent: (err) => err === permanent, ...extra },
    logger,
    observer,
  );
}

/** Fires one call and lets fake time run until it settles (a hang settles by the breaker's timeout). */
async function fireAndSettle(breaker: Breaker<[Outcome], string>, outcome: Outcome): Promise<unknown> {
  const settled = breaker.fire(outcome).then(
    (value) => value,
    (err: unknown) => err,
  );
  await jest.advanceTimersByTimeAsync(outcome === 'hang' ? TIMEOUT_MS : 0);
  return settled;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('createBreaker: finding 4, breakers that open on a dead peer at any request rate', () => {
  it('when a peer times out 3 times in a row at one call per timeout period, then the breaker opens although the window never holds 3 calls', async () => {
    const breaker = breakerFor();

    for (let i = 0; i < 3; i += 1) {
      expect(breaker.state()).toBe('closed');
      expect(await fireAndSettle(breaker, 'hang')).toBeInstanceOf(BreakerTimeoutError);
    }

    expect(breaker.state()).toBe('open');
    expect(await fireAndSettle(breaker, 'ok')).toBeInstanceOf(BreakerRefusedError);
    breaker.shutdown();
  });

  it.each<{ name: string; outcomes: Outcome[]; state: 'open' | 'closed' }>([
    {
      name: 'two failures, then a success, then two failures',
      outcomes: ['fail', 'hang', 'ok', 'fail', 'hang'],
      state: 'closed',
    },
    {
      name: 'two failures, then a permanent error, then two failures',
      outcomes: ['fail', 'fail', 'permanent', 'fail', 'fail'],
      state: 'closed',
    },
    {
      name: 'only permanent errors',
      outcomes: ['permanent', 'permanent', 'permanent', 'permanent', 'permanent'],
      state: 'closed',
    },
    { name: 'a timeout and two refusals in a row', outcomes: ['ok', 'hang', 'fail', 'fail'], state: 'open' },
  ])('when the peer gives $name, then the breaker is $state', async ({ outcomes, state }) => {
    const breaker = breakerFor({ errorThresholdPercentage: 100 });
    for (const outcome of outcomes) {
      await jest.advanceTimersByTimeAsync(TIMEOUT_MS); // one call per timeout period
      await fireAndSettle(breaker, outcome);
    }
    expect(breaker.state()).toBe(state);
    breaker.shutdown();
  });

  it('when consecutiveFailures is set, then that many failures in a row open it', async () => {
    const breaker = breakerFor({ consecutiveFailures: 5, errorThresholdPercentage: 100 });
    for (let i = 0; i < 4; i += 1) await fireAndSettle(breaker, 'fail');
    expect(breaker.state()).toBe('closed');
    await fireAndSettle(breaker, 'fail');
    expect(breaker.state()).toBe('open');
    breaker.shutdown();
  });

  it('when an open breaker lets its trial call through and that succeeds, then it closes and the count starts again', async () => {
    const breaker = breakerFor({ resetTimeoutMs: 1000, errorThresholdPercentage: 100 });
    for (let i = 0; i < 3; i += 1) await fireAndSettle(breaker, 'fail');
    expect(breaker.state()).toBe('open');
    await jest.advanceTimersByTimeAsync(1000);
    expect(breaker.state()).toBe('half-open');
    expect(await fireAndSettle(breaker, 'ok')).toBe('ok');
    expect(breaker.state()).toBe('closed');
    for (let i = 0; i < 2; i += 1) await fireAndSettle(breaker, 'fail');
    expect(breaker.state()).toBe('closed');
    breaker.shutdown();
  });
});

describe('createBreaker: the state it tells its observer', () => {
  it('when a breaker is created, opens, goes half-open and closes, then the observer hears each state once, in order', async () => {
    const observer = recordingObserver();
    const breaker = breakerFor({ resetTimeoutMs: 1000, errorThresholdPercentage: 100 }, observer);
    for (let i = 0; i < 3; i += 1) await fireAndSettle(breaker, 'fail');
    await jest.advanceTimersByTimeAsync(1000);
    await fireAndSettle(breaker, 'ok');

    expect(observer.states).toEqual(['closed', 'open', 'half-open', 'closed']);
    breaker.shutdown();
  });
});

describe('createBreaker without a timeout of its own', () => {
  it('when timeoutMs is false, then a slow call is never abandoned: it settles with its own result', async () => {
    let finish: (value: string) => void = () => undefined;
    const breaker = createBreaker(
      'slow',
      () => new Promise<string>((resolve) => (finish = resolve)),
      { ...settings, timeoutMs: false },
      logger,
    );
    const result = breaker.fire();
    await jest.advanceTimersByTimeAsync(10 * TIMEOUT_MS);
    finish('delivered');
    await expect(result).resolves.toBe('delivered');
    breaker.shutdown();
  });

  it("when the call's own deadline rejects it 3 times in a row, then the breaker opens and each counts as a timeout", async () => {
    const observer = recordingObserver();
    const deadline = Object.assign(new Error('deadline'), { code: 'DEADLINE' });
    const breaker = createBreaker(
      'own-deadline',
      () => Promise.reject(deadline),
      {
        ...settings,
        timeoutMs: false,
        isTimeout: (err) => (err as { code?: string }).code === 'DEADLINE',
      },
      logger,
      observer,
    );

    for (let i = 0; i < 3; i += 1) await expect(breaker.fire()).rejects.toMatchObject({ code: 'DEADLINE' });

    expect(breaker.state()).toBe('open');
    expect(observer.results).toEqual(['timeout', 'timeout', 'timeout']);
    breaker.shutdown();
  });
});

describe('createBreaker metrics and capacity', () => {
  it('when calls time out, fail, succeed and are refused, then each is reported once with its result', async () => {
    const observer = recordingObserver();
    const breaker = breakerFor({ errorThresholdPercentage: 100 }, observer);
    for (const outcome of ['ok', 'hang', 'fail', 'permanent', 'fail', 'fail', 'fail', 'ok'] as Outcome[])
      await fireAndSettle(breaker, outcome);
    expect(observer.results).toEqual([
      'success',
      'timeout',
      'failure',
      'success',
      'failure',
      'failure',
      'failure',
      'rejected',
    ]);
    breaker.shutdown();
  });

  it('when calls are refused for capacity, then they do not count as failures of the peer', async () => {
    const observer = recordingObserver();
    const breaker = breakerFor({ capacity: 1, errorThresholdPercentage: 100 }, observer);
    const hanging = breaker.fire('hang').catch((err: unknown) => err);
    for (let i = 0; i < 4; i += 1) await expect(breaker.fire('ok')).rejects.toBeInstanceOf(BreakerRefusedError);
    expect(breaker.state()).toBe('closed');
    expect(observer.results).toEqual(['capacity', 'capacity', 'capacity', 'capacity']);
    await jest.advanceTimersByTimeAsync(TIMEOUT_MS);
    await hanging;
    breaker.shutdown();
  });
});

describe('rollingWindowMs', () => {
  it.each<{ name: string; timeoutMs: number | false | undefined; windowMs: number }>([
    { name: 'no timeout', timeoutMs: false, windowMs: 10_000 },
    { name: 'a short timeout', timeoutMs: 2000, windowMs: 10_000 },
    { name: 'a 5 s timeout', timeoutMs: 5000, windowMs: 20_000 },
  ])('when the call timeout is $name, then the window is $windowMs ms', ({ timeoutMs, windowMs }) => {
    expect(rollingWindowMs(timeoutMs)).toBe(windowMs);
  });
});
