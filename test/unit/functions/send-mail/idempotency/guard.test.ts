import pino from 'pino';
import { emailError, OutcomeUnknownError } from '../../../../../functions/send-mail/errors';
import { createGuard, type IdempotencyOutcome } from '../../../../../functions/send-mail/idempotency/guard';
import { createMemoryStore } from '../../../../../functions/send-mail/idempotency/memory-store';
import { storeKeyOf } from '../../../../../functions/send-mail/idempotency/key';
import { judgeRepeat, settlementOf } from '../../../../../functions/send-mail/idempotency/semantics';
import { StoreUnavailableError, type IdempotencyStore } from '../../../../../functions/send-mail/idempotency/store';
import { httpError, type AppError } from '../../../../../shared/errors';
import { eventually } from '../../../../support/eventually';

const logger = pino({ level: 'silent' });
const policy = { ttlMs: 60_000, lockMs: 10_000 };
const body = Buffer.from('{"to_address":"a@example.com","subject":"s","body":"b"}');
const request = { caller: 'caller', key: 'key-1', body, requestId: 'trace-1' };
const ok = { status: 200, json: { messageId: '<1@example.com>' } };

/** A fake store on a clock the test moves. */
function fakeStore(): { store: IdempotencyStore; advance: (ms: number) => void } {
  let now = 0;
  return { store: createMemoryStore(() => now), advance: (ms) => (now += ms) };
}

function guardOn(store: IdempotencyStore): { guard: ReturnType<typeof createGuard>; outcomes: IdempotencyOutcome[] } {
  const outcomes: IdempotencyOutcome[] = [];
  return { guard: createGuard(store, policy, logger, (outcome) => outcomes.push(outcome)), outcomes };
}

const rejection = (promise: Promise<unknown>): Promise<AppError> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as AppError,
  );

describe('the key state machine (judgeRepeat, settlementOf)', () => {
  it.each([
    {
      name: 'done with the same body',
      record: { state: 'done', fingerprint: 'f', answer: { status: 200, body: {} } },
      fingerprint: 'f',
      kind: 'replay',
    },
    {
      name: 'done with another body',
      record: { state: 'done', fingerprint: 'f', answer: { status: 200, body: {} } },
      fingerprint: 'g',
      kind: 'mismatch',
    },
    {
      name: 'in flight with the same body',
      record: { state: 'inflight', fingerprint: 'f', owner: 'o' },
      fingerprint: 'f',
      kind: 'inflight',
    },
    {
      name: 'in flight with another body',
      record: { state: 'inflight', fingerprint: 'f', owner: 'o' },
      fingerprint: 'g',
      kind: 'mismatch',
    },
    {
      name: 'unknown with the same body',
      record: { state: 'unknown', fingerprint: 'f' },
      fingerprint: 'f',
      kind: 'unknown',
    },
  ] as const)('when a repeat finds a key $name, then it gets $kind', ({ record, fingerprint, kind }) => {
    expect(judgeRepeat(record, fingerprint).kind).toBe(kind);
  });

  it.each([
    { name: '200', outcome: { ok: true } as const, settlement: 'store' },
    {
      name: 'email.validation.error',
      outcome: { ok: false, error: emailError('email.validation.error') } as const,
      settlement: 'store',
    },
    {
      name: 'email.recipient.rejected',
      outcome: { ok: false, error: emailError('email.recipient.rejected') } as const,
      settlement: 'store',
    },
    {
      name: 'email.send.error (502 before DATA)',
      outcome: { ok: false, error: emailError('email.send.error') } as const,
      settlement: 'release',
    },
    {
      name: 'email.send.unavailable (breaker open)',
      outcome: { ok: false, error: emailError('email.send.unavailable') } as const,
      settlement: 'release',
    },
    {
      name: 'http.request.timeout',
      outcome: { ok: false, error: httpError('http.request.timeout') } as const,
      settlement: 'release',
    },
    {
      name: 'http.client.closed (499)',
      outcome: { ok: false, error: httpError('http.client.closed') } as const,
      settlement: 'release',
    },
    {
      name: 'an unexpected error',
      outcome: { ok: false, error: new TypeError('bug') } as const,
      settlement: 'release',
    },
    {
      name: 'email.send.unknown',
      outcome: { ok: false, error: new OutcomeUnknownError('<m@x>') } as const,
      settlement: 'lock',
    },
  ])('when the first request ends with $name, then its key is settled by $settlement', ({ outcome, settlement }) => {
    expect(settlementOf(outcome)).toBe(settlement);
  });
});

describe('the guard on a fake store', () => {
  it('when a request completes, then a repeat is its replay and does not run', async () => {
    const { guard, outcomes } = guardOn(fakeStore().store);
    const execute = jest.fn(() => Promise.resolve(ok));

    await guard.run(request, execute);
    const replay = await guard.run(request, execute);

    expect(execute).toHaveBeenCalledTimes(1);
    expect(replay).toEqual({ status: 200, headers: { 'Idempotent-Replayed': 'true' }, json: ok.json });
    expect(outcomes).toEqual(['stored', 'replayed']);
  });

  it('when a repeat arrives while the first runs, then it is refused with idempotency.request.inflight and Retry-After', async () => {
    const { guard } = guardOn(fakeStore().store);
    let finish: (value: typeof ok) => void = () => undefined;
    const first = guard.run(request, () => new Promise((resolve) => (finish = resolve)));
    await new Promise((resolve) => setImmediate(resolve));

    const err = await rejection(guard.run(request, () => Promise.resolve(ok)));
    finish(ok);
    await first;

    expect(err).toMatchObject({ code: 'idempotency.request.inflight', status: 409, headers: { 'Retry-After': '1' } });
  });

  it('when the first failed transiently, then the key is released and the retry runs', async () => {
    const { guard, outcomes } = guardOn(fakeStore().store);

    await rejection(guard.run(request, () => Promise.reject(emailError('email.send.error'))));
    const retry = await guard.run(request, () => Promise.resolve(ok));

    expect(retry).toEqual(ok);
    expect(outcomes).toEqual(['released', 'stored']);
  });

  it('when the first ended with email.send.unknown, then every retry gets idempotency.outcome.unknown until the key expires', async () => {
    const { store, advance } = fakeStore();
    const { guard } = guardOn(store);
    const execute = jest.fn(() => Promise.resolve(ok));

    await rejection(guard.run(request, () => Promise.reject(new OutcomeUnknownError('<m@x>'))));
    const err = await rejection(guard.run(request, execute));
    advance(policy.ttlMs);
    await guard.run(request, execute);

    expect(err).toMatchObject({ code: 'idempotency.outcome.unknown', status: 409 });
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('when the first ended with a deterministic 400, then the very same error answer is replayed', async () => {
    const { guard } = guardOn(fakeStore().store);
    const invalid = emailError('email.validation.error', { details: [{ field: 'subject', code: 'field.blank' }] });

    const first = await guard.run(request, () => Promise.reject(invalid));
    const replay = await guard.run(request, () => Promise.resolve(ok));

    expect(first.status).toBe(400);
    expect(first.json).toMatchObject({ message: 'email.validation.error', requestid: 'trace-1' });
    expect(replay.json).toEqual(first.json);
    expect(replay.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
  });

  it('when a claim is never settled (its process killed), then the key frees after the lock time', async () => {
    const { store, advance } = fakeStore();
    await store.claim('mailer:idempotency:v1:x', { state: 'inflight', fingerprint: 'f', owner: 'dead' }, policy.lockMs);

    advance(policy.lockMs - 1);
    expect(
      (await store.claim('mailer:idempotency:v1:x', { state: 'inflight', fingerprint: 'f', owner: 'me' }, 1)).claimed,
    ).toBe(false);
    advance(1);
    expect(
      (await store.claim('mailer:idempotency:v1:x', { state: 'inflight', fingerprint: 'f', owner: 'me' }, 1)).claimed,
    ).toBe(true);
  });

  it('when an expired claim was taken by another request, then the late owner cannot overwrite or release it', async () => {
    const { store, advance } = fakeStore();
    await store.claim('k', { state: 'inflight', fingerprint: 'f', owner: 'late' }, 10);
    advance(10);
    await store.claim('k', { state: 'inflight', fingerprint: 'f', owner: 'new' }, 10);

    expect(await store.settle('k', 'late', { state: 'unknown', fingerprint: 'f' }, 100)).toBe('taken');
    expect(await store.release('k', 'late')).toBe(false);
  });

  it('when the store cannot be reached, then the request is refused with idempotency.store.unavailable and Retry-After, and does not run', async () => {
    const released = jest.fn(() => Promise.resolve(true));
    const down: IdempotencyStore = {
      claim: () => Promise.reject(new StoreUnavailableError(4200)),
      settle: () => Promise.reject(new Error('unused')),
      release: released,
      close: () => Promise.resolve(),
    };
    const { guard, outcomes } = guardOn(down);
    const execute = jest.fn(() => Promise.resolve(ok));

    const err = await rejection(guard.run(request, execute));

    expect(err).toMatchObject({ code: 'idempotency.store.unavailable', status: 503, headers: { 'Retry-After': '5' } });
    expect(execute).not.toHaveBeenCalled();
    expect(outcomes).toEqual(['unavailable']);
    // issue 26 finding 3: the claim may still run once the store is back; its own release follows it.
    await eventually(
      () => released.mock.calls.length,
      (calls) => calls === 1,
      { what: 'the fencing release' },
    );
    await guard.close();
  });

  it('issue 26 finding 5: when the store lost the claim while the request ran, then the answer is stored anew, counted as restored, and a retry replays it', async () => {
    const store = createMemoryStore();
    const { guard, outcomes } = guardOn(store);

    const first = await guard.run(request, async () => {
      await store.close(); // the store forgets everything, as a Redis restarted without persistence does
      return ok;
    });
    const retry = await guard.run(request, () => Promise.reject(new Error('must not run again')));

    expect(first.headers?.['Idempotent-Stored']).toBeUndefined();
    expect(retry.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(outcomes).toEqual(['restored', 'stored', 'replayed']);
    await guard.close();
  });

  it('when another request took the key before the answer came, then the answer says it is not stored, and the key is left to its holder', async () => {
    const { store, advance } = fakeStore();
    const { guard, outcomes } = guardOn(store);

    const first = await guard.run(request, async () => {
      advance(policy.lockMs); // the claim expired under the running request...
      const taken = await store.claim(
        storeKeyOf(request.caller, request.key),
        { state: 'inflight', fingerprint: 'f', owner: 'other' },
        policy.lockMs,
      ); // ...and a retry took the key
      expect(taken.claimed).toBe(true);
      return ok;
    });

    expect(first.headers).toMatchObject({ 'Idempotent-Stored': 'false' });
    expect(outcomes).toEqual(['lost']);
    await guard.close();
  });

  it('when the store fails as the answer is stored, then the answer says so and the settle is retried in the background until it holds', async () => {
    const memory = createMemoryStore();
    let failures = 2;
    const flaky: IdempotencyStore = {
      ...memory,
      settle: (...args) => (failures-- > 0 ? Promise.reject(new StoreUnavailableError(500)) : memory.settle(...args)),
    };
    const { guard, outcomes } = guardOn(flaky);

    const first = await guard.run(request, () => Promise.resolve(ok));
    expect(first.headers).toMatchObject({ 'Idempotent-Stored': 'false' });
    expect(outcomes).toEqual(['unsettled']);

    const replay = await eventually(
      () => guard.run(request, () => Promise.reject(new Error('must not run again'))).catch((err: unknown) => err),
      (answer) => (answer as { status?: number }).status === 200,
      { what: 'the answer stored by the background settle', timeoutMs: 5000, intervalMs: 200 },
    );
    expect((replay as { headers?: Record<string, string> }).headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    await guard.close();
  });
});
