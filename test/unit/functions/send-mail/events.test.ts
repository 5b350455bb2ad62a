import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchedSends, createEventPublisher, deadLetterOutcome, type KafkaRecord } from '../../../../functions/send-mail/events';
import { loadConfig } from '../../../../shared/config';
import { createLogger } from '../../../../shared/logging';
import { createLogSink } from '../../../support/log-sink';
import { EventSendError } from '../../../../functions/send-mail/kafka-send';
import { BreakerRefusedError, BreakerTimeoutError } from '../../../../shared/resilience';

const record = (key: string): KafkaRecord => ({ key, value: '{}', headers: {} });

/** A send that stays in flight until the test settles it. */
function controlledSend(): { send: (records: KafkaRecord[]) => Promise<void>; batches: string[][]; sent: KafkaRecord[][]; settle: (err?: Error) => void } {
  const batches: string[][] = [];
  const sent: KafkaRecord[][] = [];
  const pending: { resolve: () => void; reject: (err: Error) => void }[] = [];
  return {
    batches,
    sent,
    send: (records) => {
      sent.push(records);
      batches.push(records.map((r) => r.key));
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    },
    settle: (err) => {
      const next = pending.shift();
      if (err) next?.reject(err);
      else next?.resolve();
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('batchedSends', () => {
  it('when nothing is in flight, then a single record is sent at once, alone', async () => {
    const kafka = controlledSend();
    const loader = batchedSends(kafka.send);
    const sent = loader.load(record('a'));
    await tick();
    expect(kafka.batches).toEqual([['a']]);
    kafka.settle();
    await expect(sent).resolves.toBeUndefined();
  });

  it('when records arrive while a send is in flight, then they leave together as the next batch once it settles', async () => {
    const kafka = controlledSend();
    const loader = batchedSends(kafka.send);
    const first = loader.load(record('a'));
    await tick();
    const waiting = ['b', 'c', 'd'].map((key) => loader.load(record(key)));
    await tick();
    expect(kafka.batches).toEqual([['a']]);
    kafka.settle();
    await first;
    await tick();
    expect(kafka.batches).toEqual([['a'], ['b', 'c', 'd']]);
    kafka.settle();
    await expect(Promise.all(waiting)).resolves.toEqual([undefined, undefined, undefined]);
  });

  it('when a batch send fails, then every record of that batch fails with its error and the next batch is still sent', async () => {
    const kafka = controlledSend();
    const loader = batchedSends(kafka.send);
    const failing = [loader.load(record('a')), loader.load(record('b'))];
    await tick();
    const failure = Object.assign(new Error('broker down'), { code: 'KAFKA_DOWN' });
    kafka.settle(failure);
    for (const result of await Promise.allSettled(failing)) {
      expect(result).toMatchObject({ status: 'rejected', reason: { code: 'KAFKA_DOWN' } });
    }
    const later = loader.load(record('c'));
    await tick();
    kafka.settle();
    await expect(later).resolves.toBeUndefined();
    expect(kafka.batches).toEqual([['a', 'b'], ['c']]);
  });

  it('when more than a batch holds arrive at once, then they are split into bounded batches', async () => {
    const kafka = controlledSend();
    const loader = batchedSends(kafka.send);
    const all = Array.from({ length: 150 }, (_, i) => loader.load(record(String(i))));
    await tick();
    expect(kafka.batches.map((batch) => batch.length)).toEqual([100, 50]);
    kafka.settle();
    kafka.settle();
    await expect(Promise.all(all)).resolves.toHaveLength(150);
  });

  it('when records are batched, then the send gets the very records that were loaded, never rebuilt ones (a retry resends the same event id)', async () => {
    const kafka = controlledSend();
    const loader = batchedSends(kafka.send);
    const records = [record('a'), record('b')];
    const sent = records.map((r) => loader.load(r));
    await tick();
    kafka.settle();
    await Promise.all(sent);
    expect(kafka.sent.flat()).toHaveLength(2);
    kafka.sent.flat().forEach((r, i) => expect(r).toBe(records[i]));
  });
});

describe('deadLetterOutcome: finding 5', () => {
  it.each<{ name: string; err: unknown; outcome: 'failure' | 'unknown' }>([
    { name: 'the breaker was open', err: new BreakerRefusedError('kafka', 1000), outcome: 'failure' },
    { name: "the breaker's backstop gave up on a send that goes on", err: new BreakerTimeoutError('kafka', 3000), outcome: 'unknown' },
    { name: 'the client gave up after writing the Produce request', err: new EventSendError('unknown', new Error('timed out')), outcome: 'unknown' },
    { name: 'the client could not connect', err: new EventSendError('failure', new Error('ECONNREFUSED')), outcome: 'failure' },
    { name: 'the local file could not be written', err: new Error('EACCES'), outcome: 'failure' },
  ])('when $name, then the dead letter says $outcome', ({ err, outcome }) => {
    expect(deadLetterOutcome(err)).toBe(outcome);
  });
});

const eventSettings = loadConfig({});

describe('hold', () => {
  it('when a mail has an unknown outcome, then its event is written as one held dead letter and never to the outbox', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'events-'));
    const logs = createLogSink();
    const logger = createLogger({ service: 'send-mail', config: { LOG_FORMAT: 'ecs', LOG_LEVEL: 'info', ENVIRONMENT: 'local' }, destination: logs.stream });
    const publisher = createEventPublisher(
      { ...eventSettings, FEATURE_EMAIL_SENT_EVENT: true, EVENT_OUTBOX_FILE: join(dir, 'events.jsonl') },
      logger,
    );

    publisher?.hold({ messageId: '<m1@example.com>', toAddress: 'someone@example.com', subject: 'hello', sentAt: new Date().toISOString() }, '0af7651916cd43dd8448eb211c80319c');

    const letters = logs.lines().filter((line) => line.message === 'email.sent event not published: dead letter');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.event).toMatchObject({ outcome: 'unknown', code: 'events.publish.held' });
    expect(letters[0]?.cloudevent).toMatchObject({ subject: '<m1@example.com>' });
    await expect(readFile(join(dir, 'events.jsonl'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
