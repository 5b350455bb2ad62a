/** One ECS-shaped log line per request, written when the response is done or the client went away. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging';

export function logWhenDone(req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const durationNs = Number(process.hrtime.bigint() - started);
    const path = (req.url ?? '/').split('?')[0];
    logger.info(
      {
        http: { request: { method: req.method }, response: { status_code: res.statusCode } },
        url: { path },
        event: { duration: durationNs, outcome: res.writableFinished ? 'success' : 'failure' },
      },
      `${req.method} ${path} ${res.statusCode}`,
    );
  });
}
