import { parseTraceparent, traceparentFor } from '../../../../shared/tracing';
import { acceptTracestate } from '../../../../shared/tracing/w3c';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it.each([
    { name: 'a version 00 header', value: `00-${TRACE}-${SPAN}-01`, valid: true },
    { name: 'an unsampled header', value: `00-${TRACE}-${SPAN}-00`, valid: true },
    { name: 'a future version with more fields', value: `01-${TRACE}-${SPAN}-01-whatever`, valid: true },
    { name: 'version ff', value: `ff-${TRACE}-${SPAN}-01`, valid: false },
    { name: 'version 00 with more fields', value: `00-${TRACE}-${SPAN}-01-extra`, valid: false },
    { name: 'upper-case hex', value: `00-${TRACE.toUpperCase()}-${SPAN}-01`, valid: false },
    { name: 'an all-zero trace id', value: `00-${'0'.repeat(32)}-${SPAN}-01`, valid: false },
    { name: 'an all-zero parent id', value: `00-${TRACE}-${'0'.repeat(16)}-01`, valid: false },
    { name: 'a short trace id', value: `00-${TRACE.slice(1)}-${SPAN}-01`, valid: false },
    { name: 'garbage', value: 'hello', valid: false },
  ])('when it is $name, then valid is $valid', ({ value, valid }) => {
    expect(parseTraceparent(value) !== undefined).toBe(valid);
  });

  it.each([
    { name: 'flags 01', flags: '01', sampled: true },
    { name: 'flags 00', flags: '00', sampled: false },
    { name: 'flags 03 (sampled plus an unknown bit)', flags: '03', sampled: true },
    { name: 'flags 02 (an unknown bit only)', flags: '02', sampled: false },
  ])('when valid with $name, then the trace and parent ids and sampled=$sampled come out', ({ flags, sampled }) => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-${flags}`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled });
  });
});

describe('traceparentFor', () => {
  it('when the trace id is a 16-hex Sleuth id, then it is left-padded to 32', () => {
    expect(traceparentFor('a3ce929d0e0e4736', SPAN)).toBe(`00-0000000000000000a3ce929d0e0e4736-${SPAN}-01`);
  });

  it('when the trace is not sampled, then the flags are 00', () => {
    expect(traceparentFor(TRACE, SPAN, false)).toBe(`00-${TRACE}-${SPAN}-00`);
  });
});

describe('acceptTracestate', () => {
  it.each([
    { name: 'one vendor entry', value: 'vendor=abc', kept: 'vendor=abc' },
    {
      name: 'several entries with spaces',
      value: 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE',
      kept: 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE',
    },
    { name: 'nothing', value: undefined, kept: undefined },
    { name: 'blank', value: '  ', kept: undefined },
    { name: 'a control character', value: 'vendor=a\r\nx: y', kept: undefined },
    { name: 'over 512 characters', value: `vendor=${'a'.repeat(506)}`, kept: undefined },
  ])('when it is $name, then it is forwarded as $kept', ({ value, kept }) => {
    expect(acceptTracestate(value)).toBe(kept);
  });
});
