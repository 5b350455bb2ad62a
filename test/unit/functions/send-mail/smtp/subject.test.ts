/**
 * headerSubject against nodemailer's own composer and mailparser as the recipient's client: whatever the
 * subject, the message has no line over 998 octets and the client shows exactly the submitted subject.
 */
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { headerSubject } from '../../../../../functions/send-mail/smtp/subject';

interface Received {
  readonly lines: readonly string[];
  readonly subjectLines: readonly string[];
  readonly subject: string | undefined;
  readonly headerKeys: readonly string[];
}

/** Composes a mail the way delivery.ts does and reads it back as a mail client would. */
async function roundTrip(subject: string): Promise<Received> {
  const raw = await new MailComposer({
    from: 'mailer@example.com',
    to: 'demo@mailinator.com',
    subject: headerSubject(subject),
    text: 'body',
    headers: { 'X-B3-TraceId': '0123456789abcdef0123456789abcdef' },
  })
    .compile()
    .build();
  const text = raw.toString('utf8');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  const fields = head.split(/\r\n(?![ \t])/);
  const subjectField = fields.find((field) => /^Subject:/i.test(field)) ?? '';
  const parsed = await simpleParser(raw);
  return {
    lines: text.split('\r\n'),
    subjectLines: subjectField.split('\r\n'),
    subject: parsed.subject,
    headerKeys: [...parsed.headers.keys()],
  };
}

const octets = (line: string): number => Buffer.byteLength(line, 'utf8');

const cases: { name: string; subject: string }[] = [
  { name: 'a Q encoded word hiding CRLF and a Bcc line', subject: '=?UTF-8?Q?hi=0D=0ABcc:_victim@example.com?=' },
  {
    name: 'a B encoded word hiding CRLF and a Bcc line',
    subject: `=?UTF-8?B?${Buffer.from('hi\r\nBcc: victim@example.com').toString('base64')}?=`,
  },
  { name: 'an encoded word between plain words', subject: 'Invoice =?UTF-8?Q?=E2=82=AC?=100 due' },
  { name: 'two adjacent encoded words', subject: '=?UTF-8?Q?a?= =?UTF-8?Q?b?=' },
  { name: 'a lowercase Latin-1 encoded word', subject: '=?iso-8859-1?q?caf=E9?=' },
  { name: 'an encoded-word look-alike spanning a space', subject: '=?utf-8?Q?a b?=' },
  { name: 'an RFC 2231 language tag', subject: '=?UTF-8*en?Q?hello?=' },
  { name: 'a lone =? and a lone ?=', subject: 'what =? and ?= mean' },
  { name: '998 characters without spaces', subject: 's'.repeat(998) },
  { name: '998 two-octet characters', subject: 'ü'.repeat(998) },
  { name: '998 three-octet characters', subject: '日'.repeat(998) },
  { name: '998 emoji (four octets each)', subject: '😀'.repeat(998) },
  { name: 'a long word after plain words', subject: `Order ${'x'.repeat(990)}` },
  { name: 'a long ASCII word and a long multibyte word', subject: `${'a'.repeat(500)} ${'ü'.repeat(497)}` },
  { name: 'a 77-character word (still plain)', subject: 'w'.repeat(77) },
  { name: 'a 78-character word', subject: 'w'.repeat(78) },
  { name: '499 one-letter words', subject: 'a '.repeat(498) + 'a' },
  { name: 'spaces around the text', subject: '  hi  ' },
  { name: 'a tab and double spaces', subject: 'a\tb  c' },
  { name: 'quotes', subject: 'say "hi" to \\them' },
  { name: 'a header look-alike', subject: 'Bcc: victim@example.com' },
  { name: 'C1 controls and Unicode line separators', subject: 'a\u0085b\u2028c\u2029d' },
  { name: 'a BOM and combining marks', subject: '\ufeffe\u0301 NFD' },
  { name: 'a plain subject', subject: 'some subject' },
];

describe('headerSubject (finding 6: the recipient sees exactly the submitted subject)', () => {
  it.each(cases)(
    'when the subject is $name, then no line exceeds 998 octets and the client shows it exactly',
    async ({ subject }) => {
      const received = await roundTrip(subject);

      expect(received.subject).toBe(subject);
      expect(Math.max(...received.lines.map(octets))).toBeLessThanOrEqual(998);
      expect(Math.max(...received.subjectLines.map(octets))).toBeLessThanOrEqual(78);
      expect(received.headerKeys.filter((key) => key === 'subject')).toHaveLength(1);
      expect(received.headerKeys).not.toContain('bcc');
    },
  );

  it('when the subject is short plain ASCII, then it goes out as it is, readable in the raw mail', () => {
    expect(headerSubject('Your order #42 (re: invoice)')).toBe('Your order #42 (re: invoice)');
  });

  it('when the subject holds encoded-word syntax, then it goes out encoded, never as given', () => {
    const subject = '=?UTF-8?Q?hi=0D=0ABcc:_victim@example.com?=';

    expect(headerSubject(subject)).not.toContain(subject);
    expect(headerSubject(subject)).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=(?: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)*$/);
  });

  it('when 300 random subjects of up to 998 characters are sent, then every one arrives exactly within 998-octet lines', async () => {
    const random = mulberry32(13);
    const pieces = [
      'a',
      'Z',
      ' ',
      ' ',
      '\t',
      '=?',
      '?=',
      'UTF-8',
      '?Q?',
      '?B?',
      '_',
      '=0A',
      '"',
      'ü',
      '日',
      '😀',
      '\u00a0',
      '\u0301',
    ];
    for (let i = 0; i < 300; i += 1) {
      let subject = '';
      const target = 1 + Math.floor(random() * 998);
      while ([...subject].length < target) subject += pieces[Math.floor(random() * pieces.length)];
      subject = [...subject].slice(0, target).join('');

      const received = await roundTrip(subject);

      expect(received.subject).toBe(subject);
      expect(Math.max(...received.lines.map(octets))).toBeLessThanOrEqual(998);
    }
  });
});

/** A small seeded PRNG, so a failing random case can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
