/**
 * `make dev`'s stand-in for the Trigger that feeds the recorder in the cluster: every event appended to
 * EVENT_OUTBOX_FILE (where send-mail and feedback publish under make dev) is handed to the recorder in this
 * process, in order, as Knative delivers: retried with backoff while the recorder asks for it (5xx), and
 * after the last retry, or at once for a 4xx, dropped with one line on stderr (the cluster's dead-letter
 * sink). The file is read from its start: the recorder's writes are idempotent, so a restart only repeats them.
 */
import { open } from 'node:fs/promises';
import { isAppError } from '../shared/errors';
import type { IncomingEvent } from '../functions/recorder/events';

/** As knative/examples: 5 retries, exponential from 0.5 s. */
const RETRIES = 5;
const FIRST_BACKOFF_MS = 500;
const POLL_MS = 250;

export interface DevTrigger {
  stop(): void;
}

export function startDevTrigger(file: string, receive: (event: IncomingEvent) => Promise<unknown>): DevTrigger {
  let offset = 0;
  let pending = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const deliver = async (line: string): Promise<void> => {
    let event: IncomingEvent;
    try {
      event = JSON.parse(line) as IncomingEvent;
    } catch {
      process.stderr.write('make dev: recorder: a line of the events file is no JSON; skipped\n');
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await receive(event);
        return;
      } catch (err) {
        const status = isAppError(err) ? err.status : 500;
        if (status < 500 || attempt === RETRIES || stopped) {
          const code = isAppError(err) ? err.code : String(err);
          process.stderr.write(`make dev: recorder: event ${event.id} (${event.type}) not recorded: ${code}\n`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, FIRST_BACKOFF_MS * 2 ** attempt));
      }
    }
  };

  const poll = async (): Promise<void> => {
    try {
      const handle = await open(file, 'r').catch(() => undefined);
      if (handle) {
        try {
          const { size } = await handle.stat();
          if (size < offset) offset = 0; // the file was replaced: read the new one from its start
          if (size > offset) {
            const buffer = Buffer.alloc(size - offset);
            await handle.read(buffer, 0, buffer.length, offset);
            offset = size;
            pending += buffer.toString('utf8');
          }
        } finally {
          await handle.close();
        }
      }
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '' && !stopped) await deliver(line);
    } finally {
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    }
  };
  void poll();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
