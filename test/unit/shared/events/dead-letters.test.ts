import { deadLetterOutcome } from '../../../../shared/events/dead-letters';
import { EventSendError } from '../../../../shared/events/errors';
import { BreakerRefusedError, BreakerTimeoutError } from '../../../../shared/resilience';

describe('deadLetterOutcome: finding 5', () => {
  it.each<{ name: string; err: unknown; outcome: 'failure' | 'unknown' }>([
    { name: 'the breaker was open', err: new BreakerRefusedError('kafka', 1000), outcome: 'failure' },
    {
      name: "the breaker's backstop gave up on a send that goes on",
      err: new BreakerTimeoutError('kafka', 3000),
      outcome: 'unknown',
    },
    {
      name: 'the client gave up after writing the Produce request',
      err: new EventSendError('unknown', new Error('timed out')),
      outcome: 'unknown',
    },
    {
      name: 'the client could not connect',
      err: new EventSendError('failure', new Error('ECONNREFUSED')),
      outcome: 'failure',
    },
    { name: 'the local file could not be written', err: new Error('EACCES'), outcome: 'failure' },
  ])('when $name, then the dead letter says $outcome', ({ err, outcome }) => {
    expect(deadLetterOutcome(err)).toBe(outcome);
  });
});
