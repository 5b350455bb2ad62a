/**
 * Our production host for one function: a plain node:http server with the listener in front of the
 * framework, and an orderly shutdown (drain.ts). `make start` and the container run this, bundled.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config';
import type { FunctionApp } from '../http';
import type { AwaitingContinue } from './body';
import { drain } from './drain';
import { Exchanges } from './exchanges';
import { createRequestListener, listenerLimits } from './listener';

export type LauncherConfig = Pick<
  Config,
  | 'PORT'
  | 'MAX_BODY_BYTES'
  | 'MAX_INFLIGHT_BODY_BYTES'
  | 'REQUEST_TIMEOUT_SECONDS'
  | 'SHUTDOWN_TIMEOUT_SECONDS'
  | 'HTTP_HEADERS_TIMEOUT_SECONDS'
>;

export interface RunningFunction {
  readonly server: Server;
  readonly url: string;
  /** Stops taking work, lets in-flight requests finish (bounded), then stops the function. */
  shutdown(): Promise<void>;
  inFlight(): number;
}

export async function launch(app: FunctionApp, config: LauncherConfig, host = '0.0.0.0'): Promise<RunningFunction> {
  const exchanges = new Exchanges();
  const server = createHttpServer(config);
  const listener = createRequestListener(app, listenerLimits(config), exchanges);
  serveRequests(server, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  app.logger.info({ url: { full: url }, startup: startupTimings() }, `${app.name} listening`);

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= drain(app, server, exchanges, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    return stopping;
  };
  return { server, url, shutdown, inFlight: () => exchanges.size };
}

/** Slow-client defences: Node closes connections whose headers, or whole request, have not arrived in time. */
function createHttpServer(config: LauncherConfig): Server {
  const receiveTimeoutMs = config.REQUEST_TIMEOUT_SECONDS * 1000 + 1000;
  const headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000, receiveTimeoutMs);
  return createServer({
    requestTimeout: receiveTimeoutMs,
    headersTimeout,
    // Node enforces both timeouts only when it checks, by default every 30 s: check often enough to hold them.
    connectionsCheckingInterval: Math.min(1000, headersTimeout / 10),
    // Room for long bearer tokens, so the answer to one is our 401, not Node's bare 431.
    maxHeaderSize: 32 * 1024,
  });
}

/** Wires SIGTERM/SIGINT to a drain and exit 0; a second signal, or a stop that hangs, exits at once. */
export function exitOnSignals(running: RunningFunction, app: FunctionApp, config: LauncherConfig): void {
  let received = false;
  const force = (reason: string): void => {
    app.logger.warn({ http: { cut: running.inFlight() } }, `${reason}; exiting now`);
    exitAfterFlush(app, 1);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) return force('second signal');
    received = true;
    // Past the drain deadline plus time to close the clients, nothing good is left to wait for.
    setTimeout(() => force('shutdown hung'), config.SHUTDOWN_TIMEOUT_SECONDS * 1000 + 5000).unref();
    app.logger.info({ signal }, 'shutting down');
    running.shutdown().then(
      () => exitAfterFlush(app, 0),
      (err: unknown) => {
        app.logger.error({ err }, 'shutdown failed');
        exitAfterFlush(app, 1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The whole production start: listen, wire signals, and exit 1 if the function cannot start. */
export function runMain(app: FunctionApp, config: LauncherConfig): void {
  process.on('unhandledRejection', (err: unknown) => app.logger.error({ err }, 'unhandled rejection'));
  launch(app, config).then(
    (running) => exitOnSignals(running, app, config),
    (err: unknown) => {
      const hint = portProblem(err, config.PORT);
      if (hint === undefined) {
        app.logger.fatal({ err }, `${app.name} could not start`);
      } else {
        // A person at a terminal most likely: one line that says what to do, not a stack.
        process.stderr.write(`${app.name}: ${hint}\n`);
      }
      exitAfterFlush(app, 1);
    },
  );
}

/** The one-line fix for a port we cannot listen on, or undefined for any other start-up failure. */
export function portProblem(err: unknown, port: number): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE')
    return `port ${port} is in use; set PORT=<another port> to use another (e.g. PORT=${port === 8080 ? 8081 : 8080})`;
  if (code === 'EACCES')
    return `port ${port} needs privileges this process lacks; set PORT=<a port above 1023> (e.g. PORT=8080)`;
  return undefined;
}

/** Log lines are written asynchronously: hand the last ones to stdout before leaving, for at most a second. */
function exitAfterFlush(app: FunctionApp, code: number): void {
  setTimeout(() => process.exit(code), 1000).unref();
  app.logger.flush(() => process.exit(code));
}

/** Milliseconds since process start at each start-up phase the function module marked, and now (listening). */
function startupTimings(): Record<string, number> {
  const at = (name: string): number | undefined => performance.getEntriesByName(name, 'mark')[0]?.startTime;
  const timings: Record<string, number> = { listening_ms: Math.round(performance.now()) };
  const modules = at('mailer:modules-loaded');
  const config = at('mailer:config-loaded');
  if (modules !== undefined) timings.modules_loaded_ms = Math.round(modules);
  if (config !== undefined) timings.config_loaded_ms = Math.round(config);
  return timings;
}

/** Hands every request to `listener`, including those that expect `100 Continue`. */
export function serveRequests(server: Server, listener: RequestListener): void {
  server.on('request', listener);
  // Taken here, Node sends no automatic `100 Continue`: the listener sends it only for a body it will read.
  server.on('checkContinue', (req: AwaitingContinue, res) =>
    listener(Object.assign(req, { awaitsContinue: true }), res),
  );
}
