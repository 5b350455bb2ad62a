/** One ECS-shaped log line per request, written when the response is done or the client went away. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging';

/** `onDone` gets the same duration, in seconds, for metrics. */
export function logWhenDone(req: IncomingMessage, res: ServerResponse, logger: Logger, onDone?: (seconds: number) => void): void {
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const durationNs = Number(process.hrtime.bigint() - started);
    onDone?.(durationNs / 1e9);
    const path = (req.url ?? '/').split('?')[0];
    const userAgent = req.headers['user-agent'];
    logger.info(
      {
        http: { request: { method: req.method }, response: { status_code: res.statusCode } },
        url: { path },
        client: { ip: clientIp(req) },
        ...(userAgent ? { user_agent: { original: userAgent.slice(0, 512) } } : {}),
        event: { duration: durationNs, outcome: res.writableFinished ? 'success' : 'failure' },
      },
      `${req.method} ${path} ${res.statusCode}`,
    );
  });
}

/** Behind Knative's queue-proxy the caller is the first X-Forwarded-For entry. */
function clientIp(req: IncomingMessage): string | undefined {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress;
}
