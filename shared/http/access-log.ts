/** One ECS-shaped log line per request, written when the response is done or the client went away. */
import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import type { Logger } from '../logging';
import { clientIp } from './client-ip';

export interface AccessLogOptions {
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
  // Bound to the request's context: 'close' may be emitted from the socket's, and the line must carry this trace.
  res.once(
    'close',
    AsyncResource.bind(() => {
      const durationNs = Number(process.hrtime.bigint() - started);
      options.onDone?.(durationNs / 1e9);
      const path = (req.url ?? '/').split('?')[0];
      const userAgent = req.headers['user-agent'];
      logger.info(
        {
          ...options.fields?.(),
          http: { request: { method: req.method }, response: { status_code: res.statusCode } },
          url: { path },
          client: { ip: clientIp(req, options.trustedProxies) },
          ...(userAgent ? { user_agent: { original: userAgent.slice(0, 512) } } : {}),
          event: { duration: durationNs, outcome: res.writableFinished ? 'success' : 'failure' },
        },
        `${req.method} ${path} ${res.statusCode}`,
      );
    }),
  );
}
