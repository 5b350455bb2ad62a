/** Local only, without brokers: events go to a JSONL file, one structured CloudEvent per line. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logging';
import { withDeadLetters } from './dead-letters';
import type { EventOutcomeCounter, EventPublisher } from './port';

export function createFilePublisher(file: string, logger: Logger, count: EventOutcomeCounter): EventPublisher {
  return withDeadLetters(
    logger,
    count,
    async (event) => {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${event.toString()}\n`);
    },
    () => Promise.resolve(),
  );
}
