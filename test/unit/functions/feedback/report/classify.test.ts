import { classify, smtpCommandIn } from '../../../../../functions/feedback/report/classify';

describe('classify', () => {
  it.each([
    {
      name: 'a failed delivery with 5.1.1 refused at RCPT',
      evidence: {
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 <a@b.example>: Recipient address rejected: User unknown (in reply to RCPT TO command)',
      },
      verdict: { classification: 'hard', reason: 'user_unknown', status: '5.1.1', smtpCode: '550' },
    },
    {
      name: '"unknown user" only after DATA, with no x.1.1 code',
      evidence: { action: 'failed', status: '5.0.0', diagnostic: '550 Unknown user (in reply to end of DATA command)' },
      verdict: { classification: 'soft', reason: 'filtered', status: '5.0.0', smtpCode: '550' },
    },
    {
      name: 'a temporary 4.1.1',
      evidence: {
        action: 'failed',
        status: '4.1.1',
        diagnostic: '450 4.1.1 <a@b.example>: Recipient address rejected: User unknown',
      },
      verdict: { classification: 'soft', reason: 'user_unknown', status: '4.1.1', smtpCode: '450' },
    },
    {
      name: 'a refusal of our sender at MAIL FROM',
      evidence: { action: 'failed', diagnostic: '550 5.1.1 sender unknown (in reply to MAIL FROM command)' },
      verdict: { classification: 'soft', reason: 'blocked', status: '5.1.1', smtpCode: '550' },
    },
    {
      name: 'a full mailbox',
      evidence: { action: 'failed', status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full' },
      verdict: { classification: 'soft', reason: 'mailbox_full', status: '5.2.2', smtpCode: '552' },
    },
    {
      name: 'a delay warning',
      evidence: {
        action: 'delayed',
        status: '4.4.1',
        diagnostic: 'connect to mx.b.example[192.0.2.1]:25: Connection timed out',
      },
      verdict: { classification: 'delayed', reason: 'network', status: '4.4.1' },
    },
    {
      name: 'a code of the sender (5.1.8) with words about the recipient',
      evidence: { action: 'failed', status: '5.1.8', diagnostic: '553 5.1.8 address not found' },
      verdict: { classification: 'soft', reason: 'blocked', status: '5.1.8', smtpCode: '553' },
    },
    {
      name: 'nothing to go on',
      evidence: { action: 'failed' },
      verdict: { classification: 'unknown', reason: 'unknown' },
    },
    {
      name: "a local mailer program's failure (x-unix)",
      evidence: { action: 'failed', status: '5.1.1', diagnostic: 'procmail: No such user', diagnosticType: 'X-Unix' },
      verdict: { classification: 'soft', reason: 'system', status: '5.1.1' },
    },
  ])('when $name, then $verdict.classification ($verdict.reason)', ({ evidence, verdict }) => {
    expect(classify(evidence)).toEqual(verdict);
  });

  it('when nothing positively names the address as gone, then it is never hard', () => {
    for (const diagnostic of ['550 Rejected', '554 Transaction failed', '550 5.7.1 Blocked by policy', 'something odd'])
      expect(classify({ action: 'failed', diagnostic }).classification).not.toBe('hard');
  });
});

describe('smtpCommandIn', () => {
  it.each([
    ['(in reply to RCPT TO command)', 'rcpt'],
    ['(in reply to end of DATA\n    command)', 'data'],
    ['SMTP error from remote mail server after MAIL FROM:<a@b.example>', 'mail'],
    ['after initial connection: 554 go away', 'connect'],
    ['>>> DATA\n<<< 550 Unknown user', 'data'],
    ['host x said: 550 nothing', undefined],
  ])('when the text says %j, then the command is %s', (text, command) => {
    expect(smtpCommandIn(text)).toBe(command);
  });
});
