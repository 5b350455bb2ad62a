import { DEFAULT_REQUEST_LIMITS, parseSendMailRequest } from '../../../../../functions/send-mail/http/request';
import { badOptionalFields, badRequests, nonUtf8Bodies, validRequest } from '../../../../fixtures/send-mail-requests';
import { thrownAppError } from '../../../../support/thrown';

describe('parseSendMailRequest', () => {
  it('has at least 40 bad-input cases, at least 30 of them for the optional fields', () => {
    expect(badRequests.length).toBeGreaterThanOrEqual(40);
    expect(badOptionalFields.length).toBeGreaterThanOrEqual(30);
  });

  describe.each(badRequests)('when $name', (testCase) => {
    it(`then it is rejected with ${testCase.code}`, () => {
      const error = thrownAppError(() => parseSendMailRequest(Buffer.from(testCase.body, 'utf8')));
      expect(error.code).toBe(testCase.code);
      expect(error.status).toBe(400);
      expect(error.details).toEqual(testCase.problems ?? []);
    });
  });

  it('when the request is valid, then it returns the fields unchanged', () => {
    expect(parseSendMailRequest(Buffer.from(JSON.stringify(validRequest)))).toEqual({
      toAddress: validRequest.to_address,
      subject: validRequest.subject,
      body: validRequest.body,
    });
  });

  it.each([
    { name: 'an IDN domain', to: 'demo@bücher.example', expected: 'demo@xn--bcher-kva.example' },
    { name: 'an upper-case domain', to: 'Demo@MailInator.COM', expected: 'Demo@mailinator.com' },
    { name: 'a plus tag', to: 'demo+tag@mailinator.com', expected: 'demo+tag@mailinator.com' },
    {
      name: 'atext specials',
      to: "o'brien!#$%&*/=?^_`{|}~-@mailinator.com",
      expected: "o'brien!#$%&*/=?^_`{|}~-@mailinator.com",
    },
    {
      name: 'a 64-octet local part',
      to: `${'a'.repeat(64)}@mailinator.com`,
      expected: `${'a'.repeat(64)}@mailinator.com`,
    },
  ])('when to_address has $name, then it is accepted as $expected', ({ to, expected }) => {
    const parsed = parseSendMailRequest(Buffer.from(JSON.stringify({ ...validRequest, to_address: to })));
    expect(parsed.toAddress).toBe(expected);
  });

  it.each([
    { name: 'a subject with spaces around visible text', fields: { subject: '  hi  ' } },
    { name: 'a subject that looks like an encoded word', fields: { subject: '=?UTF-8?Q?hi?=' } },
    { name: 'a 998-character subject', fields: { subject: 's'.repeat(998) } },
    { name: 'a subject with a tab and emoji', fields: { subject: 'hi\tthere 👋' } },
    { name: 'a body with CRLF lines and emoji', fields: { body: 'line 1\r\nline 2 👋\n' } },
  ])('when the request has $name, then it is accepted', ({ fields }) => {
    const parsed = parseSendMailRequest(Buffer.from(JSON.stringify({ ...validRequest, ...fields })));
    expect(parsed).toMatchObject({
      subject: fields.subject ?? validRequest.subject,
      body: fields.body ?? validRequest.body,
    });
  });

  describe('issue 17: the optional fields', () => {
    const full = {
      ...validRequest,
      html: '<p>some mail body</p>',
      cc: ['Cc@Bücher.example', 'second@example.com'],
      bcc: ['hidden@example.com'],
      reply_to: 'support@example.com',
      tags: ['welcome', 'campaign-42'],
      metadata: { campaignId: 'c-42', userId: 'u-7' },
      sandbox: true,
    };

    it('when every optional field is valid, then they are returned with the addresses normalized for delivery', () => {
      expect(parseSendMailRequest(Buffer.from(JSON.stringify(full)))).toEqual({
        toAddress: validRequest.to_address,
        subject: validRequest.subject,
        body: validRequest.body,
        html: full.html,
        cc: ['Cc@xn--bcher-kva.example', 'second@example.com'],
        bcc: ['hidden@example.com'],
        replyTo: 'support@example.com',
        tags: full.tags,
        metadata: full.metadata,
        sandbox: true,
      });
    });

    it('when sandbox is false and the lists are empty, then the request parses as the old shape', () => {
      const parsed = parseSendMailRequest(
        Buffer.from(JSON.stringify({ ...validRequest, sandbox: false, tags: [], metadata: {} })),
      );
      expect(parsed).toEqual({
        ...parseSendMailRequest(Buffer.from(JSON.stringify(validRequest))),
        tags: [],
        metadata: {},
      });
      expect(parsed.sandbox).toBeUndefined();
    });

    it.each([
      { name: 'exactly MAX_RECIPIENTS (50) recipients', cc: 30, bcc: 19, limit: 50, ok: true },
      { name: 'one over a MAX_RECIPIENTS of 3', cc: 2, bcc: 1, limit: 3, ok: false },
      { name: 'exactly a MAX_RECIPIENTS of 3', cc: 1, bcc: 1, limit: 3, ok: true },
    ])('when the request has $name, then the limit is kept', ({ cc, bcc, limit, ok }) => {
      const list = (count: number, domain: string): string[] =>
        Array.from({ length: count }, (_, index) => `r${index}@${domain}`);
      const body = Buffer.from(
        JSON.stringify({ ...validRequest, cc: list(cc, 'a.example'), bcc: list(bcc, 'b.example') }),
      );
      if (ok)
        expect(parseSendMailRequest(body, { ...DEFAULT_REQUEST_LIMITS, maxRecipients: limit }).bcc).toHaveLength(bcc);
      else {
        const error = thrownAppError(() =>
          parseSendMailRequest(body, { ...DEFAULT_REQUEST_LIMITS, maxRecipients: limit }),
        );
        expect(error.details).toEqual([{ field: 'recipients', code: 'recipients.too_many' }]);
      }
    });

    it('when metadata is exactly 2048 octets in all, then it is accepted', () => {
      // 8 entries of a 4-octet key and a 252-octet value: 2048.
      const metadata = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`key${index}`, 'v'.repeat(252)]));
      expect(parseSendMailRequest(Buffer.from(JSON.stringify({ ...validRequest, metadata }))).metadata).toEqual(
        metadata,
      );
    });
  });

  describe('finding 6: input that cannot lie to the recipient', () => {
    it.each(nonUtf8Bodies)(
      'when $name, then it is refused with 415 http.mediatype.unsupported, not decoded with U+FFFD',
      ({ bytes }) => {
        const error = thrownAppError(() => parseSendMailRequest(bytes));
        expect(error.code).toBe('http.mediatype.unsupported');
        expect(error.status).toBe(415);
      },
    );

    it.each(badRequests.filter((testCase) => testCase.problems?.some((problem) => problem.code === 'field.blank')))(
      'when $name, then the blank subject is refused with field.blank instead of being dropped',
      (testCase) => {
        const error = thrownAppError(() => parseSendMailRequest(Buffer.from(testCase.body)));
        expect(error.code).toBe('email.validation.error');
        expect(error.details).toContainEqual({ field: 'subject', code: 'field.blank' });
      },
    );

    it('when the body is valid UTF-8 in every field, then the text arrives as sent', () => {
      const fields = {
        to_address: 'demo@bücher.example',
        subject: 'Grüße 👋 — 日本語',
        body: 'é\u0301 \u{10FFFF} \uFEFF end',
      };
      expect(parseSendMailRequest(Buffer.from(JSON.stringify(fields), 'utf8'))).toEqual({
        toAddress: 'demo@xn--bcher-kva.example',
        subject: fields.subject,
        body: fields.body,
      });
    });
  });
});

describe('parseSendMailRequest with an attachment longer than MAX_BODY_BYTES (its content is never copied)', () => {
  const LIMITS = { ...DEFAULT_REQUEST_LIMITS, maxBodyBytes: 1024 };
  const file = Buffer.alloc(3000, 7);
  const body = (fields: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ ...validRequest, ...fields }));

  it('when it is valid base64, then the attachment is the bytes of the body it came in, with its decoded size', () => {
    const raw = body({ attachments: [{ filename: 'data.bin', content: file.toString('base64') }] });

    const [attachment] = parseSendMailRequest(raw, LIMITS).attachments ?? [];

    expect(Buffer.isBuffer(attachment?.base64)).toBe(true);
    expect(Buffer.from(attachment?.base64.toString() ?? '', 'base64')).toEqual(file);
    expect(attachment?.bytes).toBe(file.length);
  });

  it('when its content is not base64 (a control character JSON.parse no longer sees), then email.validation.error attachment.base64', () => {
    const content = `${file.toString('base64').slice(0, 2000)}\u0001${file.toString('base64').slice(2001)}`;
    const raw = Buffer.from(
      JSON.stringify({ ...validRequest, attachments: [{ filename: 'a.bin', content: 'X' }] }).replace(
        '"content":"X"',
        `"content":"${content}"`,
      ),
    );

    const error = thrownAppError(() => parseSendMailRequest(raw, LIMITS));

    expect(error.code).toBe('email.validation.error');
    expect(error.details).toEqual([{ field: 'attachments/0/content', code: 'attachment.base64' }]);
  });

  it.each([
    {
      name: 'the text body',
      fields: { body: 'b'.repeat(2000), attachments: [{ filename: 'a.txt', content: 'YQ==' }] },
    },
    {
      name: 'a field name',
      fields: { ['k'.repeat(2000)]: 'v', attachments: [{ filename: 'a.txt', content: 'YQ==' }] },
    },
  ])('when $name is longer than MAX_BODY_BYTES, then http.body.toolarge', ({ fields }) => {
    expect(thrownAppError(() => parseSendMailRequest(body(fields), LIMITS)).code).toBe('http.body.toolarge');
  });
});
