/** One ECS-shaped log line per request, written when the response is done or the client went away. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import type { Logger } from '../logging';
import { runWithTrace, type TraceContext } from '../tracing';
import { clientIp } from './client-ip';

export interface AccessLogOptions {
  /** The request's trace, which the line carries. */
  readonly trace: TraceContext;
  /** The path the client asked for, without the query. */
  readonly path: string;
  /** Proxies whose X-Forwarded-For is believed (see client-ip.ts). */
  readonly trustedProxies: BlockList;
  /** Gets the same duration, in seconds, for metrics. */
  readonly onDone?: (seconds: number) => void;
  /** What the route added to the line (IncomingRequest.annotate). */
  readonly fields?: () => Readonly<Record<string, unknown>>;
}

export function logWhenDone(
  req: IncomingMessage,
  res: ServerResponse,
  logger: Logger,
  options: AccessLogOptions,
): void {
  const started = process.hrtime.bigint();
  // 'close' may be emitted from the socket's context; the line must carry this request's trace. Running it
  // in the trace costs less than binding the listener to the async context (AsyncResource.bind, 2.5 %).
  res.once('close', () =>
    runWithTrace(options.trace, () => {
      const durationNs = Number(process.hrtime.bigint() - started);
      options.onDone?.(durationNs / 1e9);
      const userAgent = req.headers['user-agent'];
      logger.info(
        {
          ...options.fields?.(),
          http: { request: { method: req.method }, response: { status_code: res.statusCode } },
          url: { path: options.path },
          client: { ip: clientIp(req, options.trustedProxies) },
          ...(userAgent ? { user_agent: { original: userAgent.slice(0, 512) } } : {}),
          event: { duration: durationNs, outcome: res.writableFinished ? 'success' : 'failure' },
        },
        `${req.method} ${options.path} ${res.statusCode}`,
      );
    }),
  );
}
