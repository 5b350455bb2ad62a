import { b3Sampled, b3SamplingOnly } from '../../../../shared/tracing/b3';
import { isValidB3TraceId, newTraceId, parseB3Single } from '../../../../shared/tracing';

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

describe('parseB3Single', () => {
  it.each([
    {
      name: 'trace and span',
      value: 'a3ce929d0e0e4736-00f067aa0ba902b7',
      expected: { traceId: 'a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true },
    },
    {
      name: 'with sampling and parent',
      value: '463ac35c9f6413ad48485a3953bb6124-00f067aa0ba902b7-1-a2fb4a1d1a96d312',
      expected: { traceId: '463ac35c9f6413ad48485a3953bb6124', spanId: '00f067aa0ba902b7', sampled: true },
    },
    {
      name: 'not sampled',
      value: 'a3ce929d0e0e4736-00f067aa0ba902b7-0',
      expected: { traceId: 'a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false },
    },
    {
      name: 'debug',
      value: 'a3ce929d0e0e4736-00f067aa0ba902b7-d',
      expected: { traceId: 'a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true },
    },
    { name: 'sampling only', value: '0', expected: undefined },
    { name: 'upper-case', value: 'A3CE929D0E0E4736-00F067AA0BA902B7', expected: undefined },
    { name: 'an all-zero trace', value: '0000000000000000-00f067aa0ba902b7', expected: undefined },
    { name: 'an all-zero span', value: 'a3ce929d0e0e4736-0000000000000000', expected: undefined },
    { name: 'a bad sampling flag', value: 'a3ce929d0e0e4736-00f067aa0ba902b7-x', expected: undefined },
  ])('when the header is $name, then it parses to $expected', ({ value, expected }) => {
    expect(parseB3Single(value)).toEqual(expected);
  });
});

describe('sampling decisions', () => {
  it.each([
    { name: 'b3: 0', value: '0', sampled: false },
    { name: 'b3: 1', value: '1', sampled: true },
    { name: 'b3: d (debug)', value: 'd', sampled: true },
    { name: 'a full b3 header', value: 'a3ce929d0e0e4736-00f067aa0ba902b7', sampled: undefined },
  ])('when the single header is $name, then the sampling-only decision is $sampled', ({ value, sampled }) => {
    expect(b3SamplingOnly(value)).toBe(sampled);
  });

  it.each([
    { name: 'X-B3-Sampled: 1', sampledHeader: '1', flags: undefined, sampled: true },
    { name: 'X-B3-Sampled: 0', sampledHeader: '0', flags: undefined, sampled: false },
    { name: 'X-B3-Sampled: false (older senders)', sampledHeader: 'false', flags: undefined, sampled: false },
    { name: 'X-B3-Sampled: 0 with X-B3-Flags: 1 (debug)', sampledHeader: '0', flags: '1', sampled: true },
    { name: 'no decision', sampledHeader: undefined, flags: undefined, sampled: true },
  ])('when the headers say $name, then sampled is $sampled', ({ sampledHeader, flags, sampled }) => {
    expect(b3Sampled(sampledHeader, flags)).toBe(sampled);
  });
});

it('when new trace ids are made, then they differ', () => {
  expect(newTraceId()).not.toBe(newTraceId());
});
