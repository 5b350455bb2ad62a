/** The batch use case with fake ports: each item's result, the bound on items in flight, and late items. */
import { sendBatch } from '../../../../functions/send-mail/batch';
import { emailError, OutcomeUnknownError } from '../../../../functions/send-mail/errors';
import type { BatchItem } from '../../../../functions/send-mail/http/batch-request';
import type { Delivery, OutgoingMail } from '../../../../functions/send-mail/smtp/delivery';
import { httpError } from '../../../../shared/errors';

const TRACE = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', sampled: true };
const item = (to: string): BatchItem => ({ request: { toAddress: to, subject: 'hello', body: 'a body' } });

/** A delivery that answers each mail by its recipient, and records how many were in flight at once. */
function fakeDelivery(answer: (mail: OutgoingMail) => Promise<{ messageId: string }>) {
  const state = { inFlight: 0, most: 0, sent: [] as string[] };
  const delivery: Delivery = {
    send: async (mail) => {
      state.inFlight += 1;
      state.most = Math.max(state.most, state.inFlight);
      try {
        const delivered = await answer(mail);
        state.sent.push(mail.to);
        return delivered;
      } finally {
        state.inFlight -= 1;
      }
    },
    build: () => Promise.resolve({ messageId: '<sandbox@example.com>' }),
    close: () => Promise.resolve(),
  };
  return { delivery, state };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('sendBatch', () => {
  it('when items succeed, fail, are unknown or were refused at parsing, then each gets its own result in order', async () => {
    const { delivery } = fakeDelivery((mail) => {
      if (mail.to === 'refused@example.com') return Promise.reject(emailError('email.recipient.rejected'));
      if (mail.to === 'silent@example.com') return Promise.reject(new OutcomeUnknownError('<u@example.com>'));
      return Promise.resolve({ messageId: `<${mail.to}>` });
    });
    const refused: BatchItem = {
      refused: emailError('email.validation.error', { details: [{ field: 'subject', code: 'field.blank' }] }),
    };

    const { results } = await sendBatch(
      [item('a@example.com'), refused, item('refused@example.com'), item('silent@example.com')],
      { delivery },
      { trace: TRACE, concurrency: 2 },
    );

    expect(results).toEqual([
      { index: 0, status: 'sent', messageId: '<a@example.com>' },
      {
        index: 1,
        status: 'failed',
        code: 'email.validation.error',
        details: [{ field: 'subject', code: 'field.blank' }],
      },
      { index: 2, status: 'failed', code: 'email.recipient.rejected' },
      { index: 3, status: 'unknown', code: 'email.send.unknown', messageId: '<u@example.com>' },
    ]);
  });

  it('when there are more items than the concurrency, then never more than that many are in flight', async () => {
    const { delivery, state } = fakeDelivery(async (mail) => {
      await tick();
      return { messageId: `<${mail.to}>` };
    });

    const { results } = await sendBatch(
      Array.from({ length: 20 }, (_, n) => item(`r${n}@example.com`)),
      { delivery },
      { trace: TRACE, concurrency: 3 },
    );

    expect(results.every((result) => result.status === 'sent')).toBe(true);
    expect(state.most).toBe(3);
  });

  it('when the request signal aborts mid-batch, then the items not started are not_attempted with its reason and never sent', async () => {
    const controller = new AbortController();
    const { delivery, state } = fakeDelivery(async (mail) => {
      await tick();
      if (mail.to === 'r2@example.com') controller.abort(httpError('http.server.draining'));
      return { messageId: `<${mail.to}>` };
    });

    const { results } = await sendBatch(
      Array.from({ length: 6 }, (_, n) => item(`r${n}@example.com`)),
      { delivery },
      { trace: TRACE, concurrency: 1, signal: controller.signal },
    );

    expect(results.map((result) => result.status)).toEqual([
      'sent',
      'sent',
      'sent',
      'not_attempted',
      'not_attempted',
      'not_attempted',
    ]);
    expect(results[3]?.code).toBe('http.server.draining');
    expect(state.sent).toEqual(['r0@example.com', 'r1@example.com', 'r2@example.com']);
  });

  it('when the deadline has passed before the timer fired, then no item starts and each is not_attempted http.request.timeout', async () => {
    const { delivery, state } = fakeDelivery((mail) => Promise.resolve({ messageId: `<${mail.to}>` }));

    const { results } = await sendBatch(
      [item('a@example.com'), item('b@example.com')],
      { delivery },
      {
        trace: TRACE,
        concurrency: 2,
        deadlineAt: performance.now() - 1,
      },
    );

    expect(results.map((result) => result.code)).toEqual(['http.request.timeout', 'http.request.timeout']);
    expect(state.sent).toEqual([]);
  });

  it('when an item fails for a reason no code names, then it is reported and answered server.internal.error, and the others stand', async () => {
    const { delivery } = fakeDelivery((mail) =>
      mail.to === 'bug@example.com' ? Promise.reject(new TypeError('a bug')) : Promise.resolve({ messageId: '<ok>' }),
    );
    const reported: unknown[] = [];

    const { results } = await sendBatch(
      [item('bug@example.com'), item('ok@example.com')],
      { delivery },
      {
        trace: TRACE,
        concurrency: 1,
        onUnexpected: (err) => reported.push(err),
      },
    );

    expect(results).toEqual([
      { index: 0, status: 'failed', code: 'server.internal.error' },
      { index: 1, status: 'sent', messageId: '<ok>' },
    ]);
    expect(reported).toHaveLength(1);
  });
});
