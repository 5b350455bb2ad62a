/**
 * Pipelined requests on one connection are answered in order: Node queues each answer until the one
 * before it is written, and never writes it when that one closed the connection (413, 415, a broken
 * body, draining). A request runs only once its answer owns the connection, so nothing runs for a
 * request whose answer can never be written.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Resolves true when `res` may write to the connection, false when the connection closed first. */
export function ownsConnection(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (res.socket) return Promise.resolve(!res.socket.destroyed);
  const socket = req.socket;
  if (socket.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (owned: boolean): void => {
      res.off('socket', onSocket);
      socket.off('close', onClose);
      resolve(owned);
    };
    const onSocket = (): void => settle(true);
    const onClose = (): void => settle(false);
    res.once('socket', onSocket);
    socket.once('close', onClose);
  });
}
