/**
 * The requests the launcher holds, each with the AbortSignal its function sees. An exchange lasts until
 * its answer is written or its connection is gone, and until the function it invoked (if any) has
 * settled; the shutdown drain aborts and awaits exactly these.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpError, type AppError } from '../errors';
import { whenConnectionCloses } from './connection';

export class Exchange {
  readonly res: ServerResponse;
  /** When its budget (REQUEST_TIMEOUT_SECONDS) runs out, on performance.now()'s clock. */
  readonly deadlineAt: number;
  readonly #controller = new AbortController();
  #invoked = false;
  /** The connection side, plus one while the function runs. */
  #pending = 1;
  readonly #onEnd: () => void;

  constructor(req: IncomingMessage, res: ServerResponse, deadlineAt: number, onEnd: () => void) {
    this.res = res;
    this.deadlineAt = deadlineAt;
    this.#onEnd = onEnd;
    // A queued answer never gets 'close' when the connection goes first; the connection's 'close' covers it.
    let over = false;
    const gone = (): void => {
      // Both can fire in one emit (the socket's 'close' closes the response).
      if (over) return;
      over = true;
      res.off('close', gone);
      unsubscribe();
      if (!res.writableFinished) this.abort(httpError('http.client.closed'));
      this.#release();
    };
    res.once('close', gone);
    const unsubscribe = whenConnectionCloses(req.socket, gone);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get invoked(): boolean {
    return this.#invoked;
  }

  abort(reason: AppError): void {
    if (!this.signal.aborted) this.#controller.abort(reason);
  }

  /** Runs the function; the exchange lasts until its promise settles. */
  invoke(run: () => unknown, onError: (err: unknown) => void): void {
    this.#invoked = true;
    this.#pending += 1;
    new Promise((resolve) => resolve(run())).catch(onError).finally(() => this.#release());
  }

  #release(): void {
    this.#pending -= 1;
    if (this.#pending === 0) this.#onEnd();
  }
}

export class Exchanges {
  readonly #open = new Set<Exchange>();
  readonly #waiting: Array<() => void> = [];
  #draining = false;
  /**
   * One timer for every deadline, armed for the earliest: a timer per request (set, then cleared when the
   * answer is out) was ~1.6 % of the CPU under load. Most requests end long before it fires.
   */
  #deadlines: NodeJS.Timeout | undefined;
  #deadlinesAt = Number.POSITIVE_INFINITY;

  get size(): number {
    return this.#open.size;
  }

  get draining(): boolean {
    return this.#draining;
  }

  open(req: IncomingMessage, res: ServerResponse, deadlineMs: number): Exchange {
    const exchange = new Exchange(req, res, performance.now() + deadlineMs, () => {
      this.#open.delete(exchange);
      if (this.#open.size === 0) {
        this.#disarm();
        this.#waiting.splice(0).forEach((resolve) => resolve());
      }
    });
    this.#open.add(exchange);
    if (exchange.deadlineAt < this.#deadlinesAt) this.#arm(exchange.deadlineAt);
    if (this.#draining) res.setHeader('Connection', 'close');
    return exchange;
  }

  /** From now on every answer closes its connection; the listener refuses new requests. */
  drain(): void {
    this.#draining = true;
    for (const { res } of this.#open) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  /** Aborts every exchange whose deadline has come, then waits for the earliest one left. */
  #expire(): void {
    this.#deadlines = undefined;
    this.#deadlinesAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const exchange of this.#open) {
      if (exchange.deadlineAt <= now) exchange.abort(httpError('http.request.timeout'));
      else if (!exchange.signal.aborted) next = Math.min(next, exchange.deadlineAt);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  }

  #arm(at: number): void {
    this.#disarm();
    this.#deadlinesAt = at;
    // Unref: the open requests hold the process, not their deadline.
    this.#deadlines = setTimeout(() => this.#expire(), Math.max(0, at - performance.now())).unref();
  }

  #disarm(): void {
    if (this.#deadlines) clearTimeout(this.#deadlines);
    this.#deadlines = undefined;
    this.#deadlinesAt = Number.POSITIVE_INFINITY;
  }

  abortAll(reason: AppError): void {
    for (const exchange of this.#open) exchange.abort(reason);
  }

  /** Resolves true once no exchange is left, false when `ms` (if given) pass first. */
  settled(ms?: number): Promise<boolean> {
    if (this.#open.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => resolve(false), ms);
      this.#waiting.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
