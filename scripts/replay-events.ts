/**
 * Replays dead-lettered events of any type (shared/events' dead-letter lines, `<name> event not published:
 * dead letter`): reads log lines (ECS JSON, as `kubectl logs` prints them, or one Elasticsearch hit per line
 * with the line under `_source`) from a file or stdin, and republishes each dead letter's CloudEvent
 * unchanged (same id, source, time) through the configured transport (EVENT_TRANSPORT, with shared/events'
 * settings and KAFKA_TOPIC). Other lines are skipped and counted. A held dead letter (what it reports may not
 * have happened: for email.sent, the mail's outcome unknown) is replayed only with --include-held, once that
 * is known (the Message-ID found at the SMTP server). Every dead letter not replayed is written to the leftover file, so nothing is lost;
 * running it twice sends the same ids again, which consumers deduplicate by source + id.
 *
 *   node dist/tools/replay-events.js [FILE] [--leftover=PATH] [--include-held]     (make replay-events)
 *
 * Exit 0 only when every dead letter was replayed; 1 otherwise; 2 for bad arguments or settings.
 */
import { CloudEvent } from 'cloudevents';
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { str } from 'envalid';
import pino from 'pino';
import { composeSettings, defineSettings, loadProcessConfig } from '../shared/config';
import {
  createEventPublisher,
  eventPeerSettings,
  eventPublishingSettings,
  eventTransport,
  HELD_CODE,
  isDeadLetterMessage,
  type EventPublisher,
} from '../shared/events';
import { createLogger } from '../shared/logging';

/** The transport's settings, as the functions read them, and the topic to replay to in kafka mode. */
export const replaySettings = composeSettings('replay-events', [
  eventPeerSettings,
  eventPublishingSettings,
  defineSettings({
    owner: 'scripts/replay-events',
    specs: {
      KAFKA_TOPIC: str({ default: 'mailer.email-sent.v1', desc: 'Topic the events are replayed to (kafka mode).' }),
    },
  }),
]);

/** What one input line is. */
export type ReplayLine =
  | { readonly kind: 'other' }
  | { readonly kind: 'held'; readonly event: CloudEvent<unknown> }
  | { readonly kind: 'dead-letter'; readonly event: CloudEvent<unknown> }
  | { readonly kind: 'unreplayable'; readonly reason: string };

/** A dead-letter line's CloudEvent, as it was built (not re-stamped: the SDK would give a new id otherwise). */
export function parseLine(line: string): ReplayLine {
  const start = line.indexOf('{'); // `kubectl logs --prefix` puts the pod's name first
  if (start < 0) return { kind: 'other' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(start));
  } catch {
    return { kind: 'other' };
  }
  const record = ((parsed as { _source?: unknown })._source ?? parsed) as Record<string, unknown>;
  if (!isDeadLetterMessage(record.message)) return { kind: 'other' };
  const attributes = record.cloudevent as Record<string, unknown> | undefined;
  if (attributes === undefined || typeof attributes !== 'object')
    return { kind: 'unreplayable', reason: 'no cloudevent' };
  for (const name of ['id', 'source', 'type', 'time', 'specversion'] as const) {
    if (typeof attributes[name] !== 'string' || attributes[name] === '')
      return { kind: 'unreplayable', reason: `cloudevent without ${name}` };
  }
  let event: CloudEvent<unknown>;
  try {
    event = new CloudEvent<unknown>(attributes, true);
  } catch (err) {
    return { kind: 'unreplayable', reason: `invalid cloudevent: ${(err as Error).message}` };
  }
  const code = (record.event as { code?: unknown } | undefined)?.code;
  return code === HELD_CODE ? { kind: 'held', event } : { kind: 'dead-letter', event };
}

export interface ReplayCounts {
  replayed: number;
  skipped: number;
  failed: number;
}

export async function replay(
  lines: AsyncIterable<string>,
  publisher: EventPublisher,
  options: { readonly includeHeld: boolean },
): Promise<{ counts: ReplayCounts; leftover: string[] }> {
  const counts: ReplayCounts = { replayed: 0, skipped: 0, failed: 0 };
  const leftover: string[] = [];
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const parsed = parseLine(line);
    if (parsed.kind === 'other') {
      counts.skipped += 1;
      continue;
    }
    if (parsed.kind === 'unreplayable' || (parsed.kind === 'held' && !options.includeHeld)) {
      counts.failed += 1;
      leftover.push(line);
      continue;
    }
    try {
      await publisher.replay(parsed.event);
      counts.replayed += 1;
    } catch {
      counts.failed += 1;
      leftover.push(line);
    }
  }
  return { counts, leftover };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const files = args.filter((arg) => !arg.startsWith('--'));
  const leftoverFile = args.find((arg) => arg.startsWith('--leftover='))?.slice('--leftover='.length);
  const unknown = args.filter(
    (arg) => arg.startsWith('--') && !arg.startsWith('--leftover=') && arg !== '--include-held',
  );
  if (files.length > 1 || unknown.length > 0) {
    process.stderr.write('usage: replay-events [FILE] [--leftover=PATH] [--include-held]\n');
    return 2;
  }
  const config = loadProcessConfig(replaySettings);
  // Logs (the breaker's) go to stderr: stdout carries only the counts.
  const logger = createLogger({ service: 'replay-events', config, destination: pino.destination(2) });
  const publisher = createEventPublisher(config, logger);
  const input = files[0] === undefined || files[0] === '-' ? process.stdin : createReadStream(files[0]);
  const leftoverPath = leftoverFile ?? `replay-leftover-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
  try {
    const { counts, leftover } = await replay(createInterface({ input, crlfDelay: Infinity }), publisher, {
      includeHeld: args.includes('--include-held'),
    });
    if (leftover.length > 0) writeFileSync(leftoverPath, leftover.map((line) => `${line}\n`).join(''));
    process.stdout.write(
      `replayed ${counts.replayed}, skipped ${counts.skipped}, failed ${counts.failed} (transport ${eventTransport(config)})` +
        (leftover.length > 0 ? `; lines not replayed written to ${leftoverPath}` : '') +
        '\n',
    );
    return counts.failed === 0 ? 0 : 1;
  } finally {
    await publisher.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
