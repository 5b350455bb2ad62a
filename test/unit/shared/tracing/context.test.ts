import { outgoingTraceHeaders, runWithTrace, traceFromHeaders } from '../../../../shared/tracing';

const TRACE32 = '463ac35c9f6413ad48485a3953bb6124';
const TRACE16 = 'a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('traceFromHeaders', () => {
  it.each([
    { name: 'only X-B3-TraceId', headers: { 'x-b3-traceid': TRACE16 }, traceId: TRACE16, parent: undefined },
    {
      name: 'X-B3-TraceId and X-B3-SpanId',
      headers: { 'x-b3-traceid': TRACE32, 'x-b3-spanid': SPAN },
      traceId: TRACE32,
      parent: SPAN,
    },
    { name: 'the single b3 header', headers: { b3: `${TRACE32}-${SPAN}-1` }, traceId: TRACE32, parent: SPAN },
    {
      name: 'b3 and X-B3-* disagreeing',
      headers: { b3: `${TRACE32}-${SPAN}`, 'x-b3-traceid': TRACE16 },
      traceId: TRACE32,
      parent: SPAN,
    },
    {
      name: 'an invalid b3 and a valid X-B3-TraceId',
      headers: { b3: 'nonsense', 'x-b3-traceid': TRACE16 },
      traceId: TRACE16,
      parent: undefined,
    },
    { name: 'only traceparent', headers: { traceparent: `00-${TRACE32}-${SPAN}-01` }, traceId: TRACE32, parent: SPAN },
    {
      name: 'X-B3-TraceId and traceparent',
      headers: { 'x-b3-traceid': TRACE16, traceparent: `00-${TRACE32}-${SPAN}-01` },
      traceId: TRACE16,
      parent: undefined,
    },
  ])('when the request has $name, then the trace is $traceId', ({ headers, traceId, parent }) => {
    const trace = traceFromHeaders(headers);

    expect(trace.traceId).toBe(traceId);
    expect(trace.parentSpanId).toBe(parent);
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(parent);
    expect(trace.rejectedIncoming).toBeUndefined();
  });

  it.each([
    { name: 'an invalid X-B3-TraceId', headers: { 'x-b3-traceid': 'host/abc-000001' } },
    { name: 'an invalid traceparent', headers: { traceparent: `00-${TRACE32.toUpperCase()}-${SPAN}-01` } },
    { name: 'an invalid b3', headers: { b3: `${TRACE32}-zz` } },
  ])(
    'when the request has only $name, then a new 32-hex trace starts and the bad value is kept for the log',
    ({ headers }) => {
      const trace = traceFromHeaders(headers);

      expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(trace.rejectedIncoming).toBeDefined();
    },
  );

  it('when the incoming value has CRLF, then it is escaped and truncated for the log', () => {
    const trace = traceFromHeaders({ 'x-b3-traceid': `evil\r\nSet-Cookie: x${'y'.repeat(200)}` });

    expect(trace.rejectedIncoming).toMatch(/^evil\\r\\nSet-Cookie: x/);
    expect(trace.rejectedIncoming?.length).toBeLessThan(80);
  });

  it('when a b3 header only carries a sampling decision, then it is not counted as rejected', () => {
    expect(traceFromHeaders({ b3: '0' }).rejectedIncoming).toBeUndefined();
  });
});

describe("traceFromHeaders: the caller's sampling decision and tracestate", () => {
  it.each([
    { name: 'nothing', headers: {}, sampled: true, tracestate: undefined },
    {
      name: 'traceparent flags 00 and a tracestate',
      headers: { traceparent: `00-${TRACE32}-${SPAN}-00`, tracestate: 'vendor=abc' },
      sampled: false,
      tracestate: 'vendor=abc',
    },
    {
      name: 'traceparent flags 01',
      headers: { traceparent: `00-${TRACE32}-${SPAN}-01` },
      sampled: true,
      tracestate: undefined,
    },
    { name: 'b3 with flag 0', headers: { b3: `${TRACE32}-${SPAN}-0` }, sampled: false, tracestate: undefined },
    { name: 'b3 without a flag', headers: { b3: `${TRACE32}-${SPAN}` }, sampled: true, tracestate: undefined },
    { name: 'a sampling-only b3: 0', headers: { b3: '0' }, sampled: false, tracestate: undefined },
    {
      name: 'X-B3-Sampled: 0',
      headers: { 'x-b3-traceid': TRACE16, 'x-b3-sampled': '0' },
      sampled: false,
      tracestate: undefined,
    },
    {
      name: 'X-B3-TraceId without X-B3-Sampled',
      headers: { 'x-b3-traceid': TRACE16 },
      sampled: true,
      tracestate: undefined,
    },
    {
      name: 'X-B3-TraceId and a traceparent of the same 16-hex trace, with a tracestate',
      headers: {
        'x-b3-traceid': TRACE16,
        'x-b3-sampled': '0',
        traceparent: `00-${TRACE16.padStart(32, '0')}-${SPAN}-00`,
        tracestate: 'vendor=abc',
      },
      sampled: false,
      tracestate: 'vendor=abc',
    },
    {
      name: 'X-B3-TraceId and a traceparent of another trace, with a tracestate',
      headers: { 'x-b3-traceid': TRACE16, traceparent: `00-${TRACE32}-${SPAN}-00`, tracestate: 'vendor=abc' },
      sampled: true,
      tracestate: undefined,
    },
    {
      name: 'two tracestate headers',
      headers: { traceparent: `00-${TRACE32}-${SPAN}-01`, tracestate: ['a=1', 'b=2'] },
      sampled: true,
      tracestate: 'a=1,b=2',
    },
  ])(
    'when the request has $name, then sampled is $sampled and tracestate is $tracestate',
    ({ headers, sampled, tracestate }) => {
      const trace = traceFromHeaders(headers);

      expect(trace.sampled).toBe(sampled);
      expect(trace.tracestate).toBe(tracestate);
    },
  );
});

describe('outgoingTraceHeaders', () => {
  it('when there is no current trace, then there are no headers', () => {
    expect(outgoingTraceHeaders()).toEqual({});
  });

  it('when a 16-hex trace is current, then B3 keeps it 16-hex and traceparent pads it, with our span as parent', () => {
    const headers = runWithTrace({ traceId: TRACE16, spanId: SPAN, sampled: true }, () => outgoingTraceHeaders());

    expect(headers).toEqual({
      'X-B3-TraceId': TRACE16,
      'X-B3-SpanId': expect.stringMatching(/^[0-9a-f]{16}$/),
      'X-B3-ParentSpanId': SPAN,
      'X-B3-Sampled': '1',
      b3: expect.stringMatching(new RegExp(`^${TRACE16}-[0-9a-f]{16}-1-${SPAN}$`)),
      traceparent: expect.stringMatching(new RegExp(`^00-0{16}${TRACE16}-[0-9a-f]{16}-01$`)),
    });
    expect(headers).not.toHaveProperty('authorization');
  });

  it('when the caller said not to sample and sent a tracestate, then every header says unsampled and the tracestate goes on unchanged', () => {
    const headers = runWithTrace(
      traceFromHeaders({ traceparent: `00-${TRACE32}-${SPAN}-00`, tracestate: 'vendor=abc' }),
      () => outgoingTraceHeaders(),
    );

    expect(headers).toMatchObject({
      'X-B3-TraceId': TRACE32,
      'X-B3-Sampled': '0',
      b3: expect.stringMatching(new RegExp(`^${TRACE32}-[0-9a-f]{16}-0-[0-9a-f]{16}$`)),
      traceparent: expect.stringMatching(new RegExp(`^00-${TRACE32}-[0-9a-f]{16}-00$`)),
      tracestate: 'vendor=abc',
    });
  });
});
