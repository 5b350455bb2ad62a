/** The use case with fake ports: which answer and which event record each delivery outcome leaves. */
import type { Delivery } from '../../../../functions/send-mail/smtp/delivery';
import { emailError, OutcomeUnknownError } from '../../../../functions/send-mail/errors';
import { sendMail, type DeliveryOutcome, type EmailSentEvents } from '../../../../functions/send-mail/send-mail';
import { AppError } from '../../../../shared/errors';

const request = { toAddress: 'someone@example.com', subject: 'hello', body: 'a body' };
const TRACE = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', sampled: true };

function fakeEvents(): EmailSentEvents & { published: string[]; held: string[] } {
  const published: string[] = [];
  const held: string[] = [];
  return {
    published,
    held,
    publish: (data) => {
      published.push(data.messageId);
      return Promise.resolve('published');
    },
    hold: (data) => {
      held.push(data.messageId);
    },
  };
}

function deliveryFailing(err: Error): Delivery {
  return { send: () => Promise.reject(err), build: () => Promise.reject(err), close: () => Promise.resolve() };
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'none';
}

describe('sendMail', () => {
  it('when the mail is delivered, then its event is published once and nothing is held', async () => {
    const events = fakeEvents();
    const delivery: Delivery = {
      send: () => Promise.resolve({ messageId: '<m1@example.com>' }),
      build: () => Promise.reject(new Error('not a sandbox request')),
      close: () => Promise.resolve(),
    };

    await expect(sendMail(request, TRACE, { delivery, events })).resolves.toEqual({
      messageId: '<m1@example.com>',
    });
    expect(events.published).toEqual(['<m1@example.com>']);
    expect(events.held).toEqual([]);
  });

  it('when the outcome is unknown, then the answer is email.send.unknown and the event is held, never published', async () => {
    const events = fakeEvents();
    const counted: DeliveryOutcome[] = [];

    const code = await codeOf(
      sendMail(request, TRACE, {
        delivery: deliveryFailing(new OutcomeUnknownError('<m2@example.com>')),
        events,
        countEmail: (o) => counted.push(o),
      }),
    );

    expect(code).toBe('email.send.unknown');
    expect(events.held).toEqual(['<m2@example.com>']);
    expect(events.published).toEqual([]);
    expect(counted).toEqual(['unknown']);
  });

  it('when nothing was sent, then no event is published or held', async () => {
    const events = fakeEvents();

    const code = await codeOf(
      sendMail(request, TRACE, { delivery: deliveryFailing(emailError('email.send.error')), events }),
    );

    expect(code).toBe('email.send.error');
    expect(events.published).toEqual([]);
    expect(events.held).toEqual([]);
  });
});

describe('sendMail with the suppression check', () => {
  const suppressions = (suppressed: readonly string[]) => ({
    suppressed: (addresses: readonly string[]) =>
      Promise.resolve(new Map(addresses.filter((a) => suppressed.includes(a)).map((a) => [a, 'hard_bounce']))),
    close: () => Promise.resolve(),
  });
  const recording = (): Delivery & { envelopes: string[][] } => {
    const envelopes: string[][] = [];
    return {
      envelopes,
      send: (mail) => {
        envelopes.push([mail.to, ...(mail.cc ?? []), ...(mail.bcc ?? [])].filter((a) => !mail.suppressed?.has(a)));
        return Promise.resolve({ messageId: '<m2@example.com>' });
      },
      build: () => Promise.resolve({ messageId: '<sandbox@example.com>' }),
      close: () => Promise.resolve(),
    };
  };

  it('when every recipient is suppressed, then email.recipient.suppressed, counted, and nothing is sent or published', async () => {
    const delivery = recording();
    const events = fakeEvents();
    const counted: DeliveryOutcome[] = [];

    const code = await codeOf(
      sendMail({ ...request, cc: ['cc@example.com'] }, TRACE, {
        delivery,
        events,
        suppressions: suppressions(['someone@example.com', 'cc@example.com']),
        countEmail: (outcome) => counted.push(outcome),
      }),
    );

    expect(code).toBe('email.recipient.suppressed');
    expect(counted).toEqual(['suppressed']);
    expect(delivery.envelopes).toEqual([]);
    expect(events.published).toEqual([]);
  });

  it('when some are suppressed, then the mail goes to the others and the answer names the suppressed with reason suppressed', async () => {
    const delivery = recording();

    const result = await sendMail({ ...request, cc: ['cc@example.com'], bcc: ['bcc@example.com'] }, TRACE, {
      delivery,
      suppressions: suppressions(['cc@example.com']),
    });

    expect(delivery.envelopes).toEqual([['someone@example.com', 'bcc@example.com']]);
    expect(result).toEqual({
      messageId: '<m2@example.com>',
      accepted: ['someone@example.com', 'bcc@example.com'],
      rejected: [{ address: 'cc@example.com', reason: 'suppressed' }],
    });
  });

  it('when nobody is suppressed, then the answer is the plain one', async () => {
    await expect(sendMail(request, TRACE, { delivery: recording(), suppressions: suppressions([]) })).resolves.toEqual({
      messageId: '<m2@example.com>',
    });
  });
});

describe('sendMail with attachments', () => {
  it('when a mail carries attachments, then its event counts them and their bytes, never their names or content', async () => {
    const data: unknown[] = [];
    const events: EmailSentEvents = {
      publish: (sent) => {
        data.push(sent);
        return Promise.resolve('published');
      },
      hold: () => undefined,
    };
    const delivery: Delivery = {
      send: () => Promise.resolve({ messageId: '<m3@example.com>' }),
      build: () => Promise.reject(new Error('not a sandbox request')),
      close: () => Promise.resolve(),
    };
    const attachments = [
      { filename: 'secret-plan.pdf', base64: 'aGVsbG8=', bytes: 5, disposition: 'attachment' as const },
      { filename: 'logo.png', base64: 'aGk=', bytes: 2, contentId: 'logo', disposition: 'inline' as const },
    ];

    await sendMail({ ...request, attachments }, TRACE, { delivery, events });

    expect(data).toEqual([expect.objectContaining({ attachmentCount: 2, attachmentBytes: 7 })]);
    expect(JSON.stringify(data)).not.toMatch(/secret-plan|aGVsbG8=|logo\.png/);
  });
});

describe('issue 31: sendMail on the broadcast stream', () => {
  const CALLER = '["","sub","campaigns"]';
  const recording = (): Delivery & { mails: Parameters<Delivery['send']>[0][] } => {
    const mails: Parameters<Delivery['send']>[0][] = [];
    return {
      mails,
      send: (mail) => {
        mails.push(mail);
        return Promise.resolve({ messageId: '<b@example.com>' });
      },
      build: () => Promise.resolve({ messageId: '<sandbox@example.com>' }),
      close: () => Promise.resolve(),
    };
  };

  it('when this deployment makes no one-click links and the mail brings none, then email.unsubscribe.unavailable and nothing is sent', async () => {
    const delivery = recording();

    const code = await codeOf(
      sendMail({ ...request, stream: 'broadcast' }, TRACE, { delivery }, undefined, { caller: CALLER }),
    );

    expect(code).toBe('email.unsubscribe.unavailable');
    expect(delivery.mails).toEqual([]);
  });

  it('when it makes them, then the mail asks for our link for its caller; with its own URL, for that URL', async () => {
    const delivery = recording();
    const ports = { delivery, oneClickUnsubscribe: true };

    await sendMail({ ...request, stream: 'broadcast' }, TRACE, ports, undefined, { caller: CALLER });
    await sendMail({ ...request, listUnsubscribe: 'https://x.example/u' }, TRACE, ports, undefined, { caller: CALLER });
    await sendMail(request, TRACE, ports, undefined, { caller: CALLER });

    expect(delivery.mails.map((mail) => mail.listUnsubscribe)).toEqual([
      { caller: CALLER },
      { url: 'https://x.example/u' },
      undefined,
    ]);
  });

  it('when the check runs, then a broadcast mail names its caller (whose unsubscribes count) and a transactional one does not', async () => {
    const asked: (string | undefined)[] = [];
    const suppressions = {
      suppressed: (_addresses: readonly string[], broadcastOf?: string) => {
        asked.push(broadcastOf);
        return Promise.resolve(new Map<string, string>());
      },
      close: () => Promise.resolve(),
    };
    const ports = { delivery: recording(), suppressions, oneClickUnsubscribe: true };

    await sendMail({ ...request, stream: 'broadcast' }, TRACE, ports, undefined, { caller: CALLER });
    await sendMail({ ...request, stream: 'transactional' }, TRACE, ports, undefined, { caller: CALLER });

    expect(asked).toEqual([CALLER, undefined]);
  });
});
