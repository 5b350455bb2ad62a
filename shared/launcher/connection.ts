/**
 * Pipelined requests on one connection are answered in order: Node queues each answer until the one
 * before it is written, and never writes it when that one closed the connection (413, 415, a broken
 * body, draining). A request runs only once its answer owns the connection, so nothing runs for a
 * request whose answer can never be written.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One 'close' listener per connection, however many requests are queued on it (no listener-leak warning). */
const onClose = new WeakMap<Socket, Set<() => void>>();

/** Calls `callback` when the connection closes; returns how to unsubscribe. */
export function whenConnectionCloses(socket: Socket, callback: () => void): () => void {
  if (socket.closed) {
    queueMicrotask(callback);
    return () => undefined;
  }
  let callbacks = onClose.get(socket);
  if (!callbacks) {
    const registered = new Set<() => void>();
    socket.once('close', () => registered.forEach((run) => run()));
    onClose.set(socket, registered);
    callbacks = registered;
  }
  callbacks.add(callback);
  return () => callbacks.delete(callback);
}

/** Resolves true when `res` may write to the connection, false when the connection closes first. */
export function ownsConnection(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const socket = req.socket;
  // An answer that closed the connection ends the socket's writing side; Node still parses what follows.
  if (!socket.writable) return Promise.resolve(false);
  if (res.socket) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (owned: boolean): void => {
      res.off('socket', onSocket);
      unsubscribe();
      resolve(owned);
    };
    const onSocket = (): void => settle(socket.writable);
    const unsubscribe = whenConnectionCloses(socket, () => settle(false));
    res.once('socket', onSocket);
  });
}
