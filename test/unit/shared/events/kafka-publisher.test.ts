import { batchedSends, type KafkaRecord } from '../../../../shared/events/kafka-publisher';

const record = (key: string): KafkaRecord => ({ key, value: '{}', headers: {} });

/** A send that stays in flight until the test settles it. */
function controlledSend(): {
  send: (records: KafkaRecord[]) => Promise<void>;
  batches: string[][];
  sent: KafkaRecord[][];
  settle: (err?: Error) => void;
} {
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
