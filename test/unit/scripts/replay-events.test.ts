import { parseLine, replay } from '../../../scripts/replay-events';
import type { EventPublisher } from '../../../shared/events/port';

const DEAD_LETTER = 'email.sent event not published: dead letter';
const cloudevent = {
  id: '9b0c6c1e-1111-4222-8333-444455556666',
  source: '/mailer/send-mail',
  type: 'com.example.mailer.email.sent.v1',
  specversion: '1.0',
  time: '2026-11-25T00:00:00.000Z',
  subject: '<m@example.com>',
  partitionkey: 'to@example.com',
  datacontenttype: 'application/json',
  data: {
    messageId: '<m@example.com>',
    toAddress: 'to@example.com',
    subject: 'hi',
    sentAt: '2026-11-25T00:00:00.000Z',
  },
};
const letter = (fields: object = {}): string =>
  JSON.stringify({ message: DEAD_LETTER, event: { code: 'events.publish.failed' }, cloudevent, ...fields });

async function* linesOf(...lines: string[]): AsyncIterable<string> {
  for (const line of lines) yield await Promise.resolve(line);
}

describe('parseLine', () => {
  it.each([
    { name: 'an ECS dead letter', line: letter(), kind: 'dead-letter' },
    { name: 'a kubectl --prefix line', line: `[pod/send-mail-1/send-mail] ${letter()}`, kind: 'dead-letter' },
    {
      name: 'an Elasticsearch hit',
      line: JSON.stringify({ _id: 'x', _source: JSON.parse(letter()) as object }),
      kind: 'dead-letter',
    },
    { name: 'a held letter', line: letter({ event: { code: 'events.publish.held' } }), kind: 'held' },
    { name: 'another log line', line: JSON.stringify({ message: 'listening' }), kind: 'other' },
    { name: 'not JSON', line: 'Error: something', kind: 'other' },
    {
      name: 'a letter without an id',
      line: letter({ cloudevent: { ...cloudevent, id: undefined } }),
      kind: 'unreplayable',
    },
  ])('when the line is $name, then it is $kind', ({ line, kind }) => {
    expect(parseLine(line).kind).toBe(kind);
  });

  it('when a dead letter is parsed, then its event keeps id, source and time', () => {
    const parsed = parseLine(letter());
    expect(parsed.kind === 'dead-letter' ? parsed.event : undefined).toMatchObject({
      id: cloudevent.id,
      source: cloudevent.source,
      time: cloudevent.time,
      data: cloudevent.data,
    });
  });
});

describe('replay', () => {
  it('when one send fails and a held letter is not included, then both are leftovers and the counts say so', async () => {
    let calls = 0;
    const publisher = {
      replay: () => (calls++ === 0 ? Promise.resolve() : Promise.reject(new Error('sink down'))),
    } as unknown as EventPublisher;
    const held = letter({ event: { code: 'events.publish.held' } });
    const failing = letter({ cloudevent: { ...cloudevent, id: 'second' } });

    const { counts, leftover } = await replay(linesOf(letter(), 'noise', failing, held, ''), publisher, {
      includeHeld: false,
    });

    expect(counts).toEqual({ replayed: 1, skipped: 1, failed: 2 });
    expect(leftover).toEqual([failing, held]);
  });
});
