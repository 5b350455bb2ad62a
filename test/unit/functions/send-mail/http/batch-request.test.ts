/** The batch request's parsing: the envelope refused as a whole, each item judged on its own. */
import { batchBodyLimit, parseBatchRequest } from '../../../../../functions/send-mail/http/batch-request';
import { DEFAULT_REQUEST_LIMITS } from '../../../../../functions/send-mail/http/request';
import { thrownAppError } from '../../../../support/thrown';

const LIMITS = { ...DEFAULT_REQUEST_LIMITS, maxBatchSize: 3 };
const mail = { to_address: 'a@example.com', subject: 'hi', body: 'text' };
const raw = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('parseBatchRequest', () => {
  it('when every item is valid, then each is parsed as a single send would be', () => {
    const items = parseBatchRequest(raw({ messages: [mail, { ...mail, cc: ['B@Example.com'] }] }), LIMITS);

    expect(items).toEqual([
      { request: { toAddress: 'a@example.com', subject: 'hi', body: 'text' } },
      { request: { toAddress: 'a@example.com', subject: 'hi', body: 'text', cc: ['B@example.com'] } },
    ]);
  });

  it('when some items are bad, then those alone are refused, each with its own code', () => {
    const items = parseBatchRequest(
      raw({ messages: [mail, 42, { ...mail, subject: ' ' }, { ...mail, body: 'x'.repeat(70_000) }] }),
      { ...LIMITS, maxBatchSize: 4 },
    );

    expect(items.map((item) => ('refused' in item ? item.refused.code : 'ok'))).toEqual([
      'ok',
      'email.parse.error',
      'email.validation.error',
      'http.body.toolarge',
    ]);
  });

  it('when an item carries attachments, then it is refused with field.not_in_batch', () => {
    const [item] = parseBatchRequest(raw({ messages: [{ ...mail, attachments: [] }] }), LIMITS);

    expect(item).toEqual({ refused: expect.objectContaining({ code: 'email.validation.error' }) });
    expect(item && 'refused' in item ? item.refused.details : []).toEqual([
      { field: 'attachments', code: 'field.not_in_batch' },
    ]);
  });

  it.each([
    { name: 'more items than MAX_BATCH_SIZE', body: { messages: [mail, mail, mail, mail] }, problem: 'field.too_many' },
    { name: 'no items', body: { messages: [] }, problem: 'field.too_short' },
    { name: 'no messages', body: {}, problem: 'field.required' },
  ])('when the batch has $name, then the whole request is email.validation.error ($problem)', ({ body, problem }) => {
    const error = thrownAppError(() => parseBatchRequest(raw(body), LIMITS));

    expect(error.code).toBe('email.validation.error');
    expect(error.details.map((detail) => detail.code)).toContain(problem);
  });

  it('when the body is over MAX_BATCH_SIZE mails of MAX_BODY_BYTES, then 413 before it is parsed', () => {
    const limit = batchBodyLimit(LIMITS);

    expect(thrownAppError(() => parseBatchRequest(Buffer.alloc(limit + 1, 0x20), LIMITS)).code).toBe(
      'http.body.toolarge',
    );
  });
});
