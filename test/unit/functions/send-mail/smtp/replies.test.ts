import { createReplyAudit } from '../../../../../functions/send-mail/smtp/replies';

type Step = readonly ['client' | 'server', string] | readonly ['data-ended'];

function audited(steps: readonly Step[]): string | undefined {
  const audit = createReplyAudit();
  audit.logger.debug({ tnx: 'server' }, '220 greeting before the session is watched');
  audit.watch();
  for (const step of steps) {
    if (step[0] === 'data-ended') audit.dataEnded();
    else audit.logger.debug({ tnx: step[0] }, step[1]);
  }
  return audit.desync?.code;
}

const envelope: Step[] = [
  ['client', 'MAIL FROM:<a@example.com>'],
  ['client', 'RCPT TO:<b@example.com>'],
];

describe('createReplyAudit', () => {
  it.each<{ name: string; steps: Step[]; desync: string | undefined }>([
    {
      name: 'a whole transaction in step',
      steps: [
        ['client', 'MAIL FROM:<a@example.com>'],
        ['server', '250 ok'],
        ['client', 'RCPT TO:<b@example.com>'],
        ['server', '250 ok'],
        ['client', 'DATA'],
        ['server', '354 go ahead'],
        ['data-ended'],
        ['server', '250 queued'],
      ],
      desync: undefined,
    },
    {
      name: 'a pipelined envelope with a refused recipient',
      steps: [
        ...envelope,
        ['client', 'RCPT TO:<c@example.com>'],
        ['client', 'DATA'],
        ['server', '250 ok'],
        ['server', '550 no such user'],
        ['server', '250 ok'],
        ['server', '354 go ahead'],
        ['data-ended'],
        ['server', '250 queued'],
      ],
      desync: undefined,
    },
    {
      name: 'a duplicated 250 to RCPT TO, read as the reply to DATA',
      steps: [
        ['client', 'MAIL FROM:<a@example.com>'],
        ['server', '250 ok'],
        ['client', 'RCPT TO:<b@example.com>'],
        ['server', '250 ok'],
        ['client', 'DATA'],
        ['server', '250 ok'],
      ],
      desync: 'EDESYNC',
    },
    {
      name: 'a 354 read as the reply to the final dot',
      steps: [
        ...envelope,
        ['server', '250 ok'],
        ['server', '250 ok'],
        ['client', 'DATA'],
        ['server', '354 go ahead'],
        ['data-ended'],
        ['server', '354 go ahead'],
      ],
      desync: 'EDESYNC',
    },
    {
      name: 'an extra line after the final reply, with nothing pending',
      steps: [
        ['client', 'DATA'],
        ['server', '354 go ahead'],
        ['data-ended'],
        ['server', '250 queued'],
        ['server', '250 queued'],
      ],
      desync: 'EDESYNC',
    },
    {
      name: 'a reply while the message is still being written',
      steps: [
        ['client', 'DATA'],
        ['server', '354 go ahead'],
        ['server', '250 queued'],
      ],
      desync: 'EDESYNC',
    },
    {
      name: 'a reply without a code',
      steps: [
        ['client', 'NOOP'],
        ['server', 'hello'],
      ],
      desync: 'EDESYNC',
    },
    {
      name: 'a reset answered',
      steps: [
        ['client', 'RSET'],
        ['server', '250 flushed'],
      ],
      desync: undefined,
    },
  ])('when the log shows $name, then the desync is $desync', ({ steps, desync }) => {
    expect(audited(steps)).toBe(desync);
  });

  it('when replies go out of step, then the first reason stays', () => {
    const audit = createReplyAudit();
    audit.watch();
    audit.logger.debug({ tnx: 'server' }, '250 stray');
    const first = audit.desync;
    audit.logger.debug({ tnx: 'client' }, 'DATA');
    audit.logger.debug({ tnx: 'server' }, '250 ok');

    expect(first?.code).toBe('EDESYNC');
    expect(audit.desync).toBe(first);
  });
});
