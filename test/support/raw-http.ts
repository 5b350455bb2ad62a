/**
 * A bare TCP client for the launcher's tests: sends exactly the bytes given (pipelined requests, partial
 * headers, a body in pieces) and collects everything that comes back until the server closes.
 */
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far. */
  text(): string;
  /** Resolves with what was received once `pattern` matches it, or the connection closed. */
  until(pattern: RegExp): Promise<string>;
  /** Resolves with everything received once the server closed the connection. */
  readonly closed: Promise<string>;
}

export async function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    waiters.forEach((check) => check());
  });
  // A reset after the server closed is expected here; the text received is what counts.
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  const until = (pattern: RegExp): Promise<string> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (pattern.test(received)) resolve(received);
      };
      waiters.push(check);
      check();
      void closed.then(resolve);
    });
  return { socket, text: () => received, until, closed };
}

/** The status codes of the answers in a raw exchange, in order, interim ones (100) included. */
export function statuses(text: string): number[] {
  // An answer starts right after the previous body, not necessarily on a line of its own.
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

/** The header block of each answer, lower-cased. */
export function headerBlocks(text: string): string[] {
  return text
    .split(/(?=HTTP\/1\.1 \d{3} )/)
    .filter((part) => part !== '')
    .map((part) => part.split('\r\n\r\n')[0]?.toLowerCase() ?? '');
}

export function post(path: string, body: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({
    Host: 'localhost',
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  }).map(([name, value]) => `${name}: ${value}`);
  return `POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
