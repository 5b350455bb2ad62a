import { ownEvents, parseLine, replay } from '../../../scripts/replay-events';
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

const OWN = { EVENT_TYPE_PREFIX: 'com.example.mailer', EVENT_SOURCE: '/mailer/send-mail' };

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
    { name: 'issue 26 finding 6: a truncated dead letter', line: letter().slice(0, 120), kind: 'unreplayable' },
    { name: 'issue 26 finding 6: the tail of a split dead letter', line: letter().slice(140), kind: 'unreplayable' },
    { name: 'a JSON value that is no object', line: '{"a":1} trailing', kind: 'unreplayable' },
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
      vouch: ownEvents(OWN),
    });

    expect(counts).toEqual({ replayed: 1, skipped: 1, failed: 2 });
    expect(leftover.map((line) => JSON.parse(line) as object)).toEqual([
      { ...(JSON.parse(failing) as object), replay_leftover: { reason: expect.any(String) } },
      { ...(JSON.parse(held) as object), replay_leftover: { reason: expect.any(String) } },
    ]);
  });

  it.each([
    { name: 'another source', event: { ...cloudevent, source: '/attacker' } },
    { name: 'another type', event: { ...cloudevent, type: 'com.evil.pwned.v1' } },
    { name: 'our type under another prefix', event: { ...cloudevent, type: 'org.other.email.sent.v1' } },
    { name: 'data off its schema', event: { ...cloudevent, data: { messageId: 1, shell: 'rm -rf /' } } },
  ])(
    'issue 26 finding 7: when a dead letter carries $name, then it is never sent and is left over with its reason',
    async ({ event }) => {
      const sent: string[] = [];
      const publisher = {
        replay: (e: { id: string }) => Promise.resolve(void sent.push(e.id)),
      } as unknown as EventPublisher;

      const { counts, leftover } = await replay(linesOf(letter({ cloudevent: event })), publisher, {
        includeHeld: true,
        vouch: ownEvents(OWN),
      });

      expect(sent).toEqual([]);
      expect(counts).toEqual({ replayed: 0, skipped: 0, failed: 1 });
      expect(JSON.parse(leftover[0] ?? '{}')).toMatchObject({ replay_leftover: { reason: expect.any(String) } });
    },
  );

  it('issue 26 finding 6: when a line is damaged, then it is left over as text with its reason, never skipped', async () => {
    const damaged = letter().slice(0, 90);
    const publisher = { replay: () => Promise.resolve() } as unknown as EventPublisher;

    const { counts, leftover } = await replay(linesOf(damaged), publisher, {
      includeHeld: false,
      vouch: ownEvents(OWN),
    });

    expect(counts).toEqual({ replayed: 0, skipped: 0, failed: 1 });
    expect(JSON.parse(leftover[0] ?? '{}')).toEqual({ replay_leftover: { reason: expect.any(String) }, line: damaged });
  });

  it('when run dry, then nothing is sent and each event that would be is told', async () => {
    const publisher = { replay: () => Promise.reject(new Error('must not send')) } as unknown as EventPublisher;
    const told: string[] = [];

    const { counts } = await replay(linesOf(letter()), publisher, {
      includeHeld: false,
      vouch: ownEvents(OWN),
      dryRun: true,
      onWouldSend: (event) => told.push(event.id),
    });

    expect(counts).toEqual({ replayed: 1, skipped: 0, failed: 0 });
    expect(told).toEqual([cloudevent.id]);
  });
});
