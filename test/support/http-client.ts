/**
 * Small helpers over fetch for acceptance tests: send JSON, read the status, headers and parsed body.
 * Every answer is checked against the OpenAPI spec.
 */
import type { ErrorCode } from '../../shared/errors';
import { expectResponseInSpec } from './spec-validator';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = undefined;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text);
  const answer = { status: response.status, headers: response.headers, body, text };
  expectResponseInSpec(init.method ?? 'GET', url, answer);
  return answer;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The error body every error answer carries. */
export function expectErrorBody(answer: Answer, code: ErrorCode): void {
  const traceId = answer.headers.get('x-b3-traceid');
  expect(traceId).toMatch(/^[0-9a-f]{32}$|^[0-9a-f]{16}$/);
  expect(answer.body).toEqual({
    timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/),
    requestid: traceId,
    message: code,
    details: expect.any(Array),
  });
  expect(answer.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
}
