import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EventSendError } from '../../../../shared/events/errors';
import { createSinkPost, type SinkMessage } from '../../../../shared/events/http-publisher';

const message: SinkMessage = { headers: { 'content-type': 'application/json', 'ce-id': 'e1' }, body: '{"a":1}' };

/**
 * A sink on raw sockets: the first request of each connection is answered 202 on a kept-alive connection;
 * the second is read whole, stored, and the connection reset without an answer; any request on a later
 * connection gets `laterStatus`.
 */
async function startResettingSink(
  laterStatus: number,
): Promise<{ url: string; stored: () => number; stop(): Promise<void> }> {
  let stored = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    connections += 1;
    const first = connections === 1;
    let requests = 0;
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      while (buffer.includes('\r\n\r\n')) {
        const head = buffer.slice(0, buffer.indexOf('\r\n\r\n'));
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? '0');
        const end = head.length + 4 + length;
        if (buffer.length < end) return;
        buffer = buffer.slice(end);
        requests += 1;
        if (!first) {
          socket.end(`HTTP/1.1 ${laterStatus} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        } else if (requests === 1) {
          stored += 1;
          socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n');
        } else {
          stored += 1; // the sink has the event...
          socket.resetAndDestroy(); // ...and the reused connection is reset before any answer
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stored: () => stored,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('createSinkPost', () => {
  it('issue 26 finding 9: when the sink stores an event and then resets the reused connection, and the retry is refused, then the send says unknown', async () => {
    const sink = await startResettingSink(400);
    const post = createSinkPost(sink.url, 2000, 1);
    try {
      await post.post(message);
      const err = await post.post(message).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(sink.stored()).toBe(2);
      expect(err).toBeInstanceOf(EventSendError);
      expect((err as EventSendError).outcome).toBe('unknown');
    } finally {
      post.close();
      await sink.stop();
    }
  });
});
