/** Collects a function's log lines in memory and parses them as JSON, for asserting on fields. */
import { Writable } from 'node:stream';

export interface LogSink {
  readonly stream: Writable;
  readonly lines: () => Record<string, unknown>[];
  readonly text: () => string;
}

export function createLogSink(): LogSink {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const text = (): string => chunks.join('');
  const lines = (): Record<string, unknown>[] =>
    text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines, text };
}
