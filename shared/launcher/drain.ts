/**
 * The shutdown drain. Readiness turns 503, the listener stops accepting, idle keep-alive connections
 * close, every further answer closes its connection and requests that still arrive are refused 503.
 * In-flight requests may finish; `settleMs` before the deadline their signals abort (the function answers
 * and settles what it started), and whatever is still open at the deadline is cut. The function's own
 * work is awaited before it is stopped.
 */
import type { Server } from 'node:http';
import { httpError } from '../errors';
import type { FunctionApp } from '../http';
import type { Exchanges } from './exchanges';

export async function drain(app: FunctionApp, server: Server, exchanges: Exchanges, deadlineMs: number): Promise<void> {
  app.readiness.markDraining();
  exchanges.drain();
  app.logger.info({ http: { in_flight: exchanges.size } }, 'draining');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const abortAt = Math.max(0, deadlineMs - app.settleMs);
  if (!(await exchanges.settled(abortAt))) {
    app.logger.warn(
      { http: { aborted: exchanges.size } },
      'drain deadline near; aborting the requests still in flight',
    );
    exchanges.abortAll(httpError('http.server.draining'));
    if (!(await exchanges.settled(deadlineMs - abortAt))) {
      app.logger.warn(
        { http: { cut: exchanges.size } },
        'shutdown deadline reached; cutting the requests still in flight',
      );
    }
  }
  // Also closes connections still sending a request's headers; nothing is left to answer on them.
  server.closeAllConnections();
  await closed;
  // A function cut off its connection may still be settling (e.g. dead-lettering an event); never stop under it.
  await exchanges.settled();
  await app.stop();
  app.logger.info(`${app.name} stopped`);
}
