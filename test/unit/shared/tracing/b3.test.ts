import { isValidB3TraceId, newTraceId, traceFromHeaders } from '../../../../shared/tracing';

describe('isValidB3TraceId', () => {
  it.each([
    { name: '16 lowercase hex', value: 'a3ce929d0e0e4736', valid: true },
    { name: '32 lowercase hex', value: '463ac35c9f6413ad48485a3953bb6124', valid: true },
    { name: 'upper-case hex', value: 'A3CE929D0E0E4736', valid: false },
    { name: '16 zeros', value: '0000000000000000', valid: false },
    { name: '32 zeros', value: '00000000000000000000000000000000', valid: false },
    { name: '15 hex', value: 'a3ce929d0e0e473', valid: false },
    { name: '24 hex', value: 'a3ce929d0e0e4736a3ce929d', valid: false },
    { name: 'a chi request id', value: 'host/abc-000001', valid: false },
    { name: 'hex with a CRLF', value: 'a3ce929d0e0e4736\r\n', valid: false },
    { name: 'empty', value: '', valid: false },
  ])('when the id is $name, then valid is $valid', ({ value, valid }) => {
    expect(isValidB3TraceId(value)).toBe(valid);
  });
});

describe('traceFromHeaders', () => {
  it('when the header is valid, then its id is kept', () => {
    expect(traceFromHeaders({ 'x-b3-traceid': 'a3ce929d0e0e4736' })).toEqual({ traceId: 'a3ce929d0e0e4736' });
  });

  it('when there is no header, then a new 32-hex id is made and nothing is rejected', () => {
    const trace = traceFromHeaders({});
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.rejectedIncoming).toBeUndefined();
  });

  it('when the header is invalid, then it is replaced and kept escaped and truncated for the log', () => {
    const trace = traceFromHeaders({ 'x-b3-traceid': `evil\r\nSet-Cookie: x${'y'.repeat(200)}` });

    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.rejectedIncoming).toMatch(/^evil\\r\\nSet-Cookie: x/);
    expect(trace.rejectedIncoming?.length).toBeLessThan(80);
  });

  it('when new ids are made, then they differ', () => {
    expect(newTraceId()).not.toBe(newTraceId());
  });
});
