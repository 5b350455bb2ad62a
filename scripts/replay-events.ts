/**
 * Replays dead-lettered events of any type (shared/events' dead-letter lines, `<name> event not published:
 * dead letter`): reads log lines (ECS JSON, as `kubectl logs` prints them, or one Elasticsearch hit per line
 * with the line under `_source`) from a file or stdin, and republishes each dead letter's CloudEvent
 * unchanged (same id, source, time) through the configured transport (EVENT_TRANSPORT, with shared/events'
 * settings and KAFKA_TOPIC). Other lines are skipped and counted. A held dead letter (what it reports may not
 * have happened: for email.sent, the mail's outcome unknown) is replayed only with --include-held, once that
 * is known (the Message-ID found at the SMTP server).
 *
 * It vouches for what it sends: only a complete CloudEvent of this mailer's own types (under
 * EVENT_TYPE_PREFIX, its data valid against the type's published schema) from its own source (EVENT_SOURCE)
 * goes out. Anything else, a damaged (truncated, split) line included, is never sent: it goes to the leftover
 * file with the reason (`replay_leftover.reason`), and the exit status says so. The leftover file is opened
 * before anything is sent, and appended to, never overwritten. Running it twice sends the same ids again,
 * which consumers deduplicate by source + id. --dry-run sends nothing and writes nothing: it prints what
 * would be sent.
 *
 *   node dist/tools/replay-events.js [FILE] [--leftover=PATH] [--include-held] [--dry-run]   (make replay-events)
 *
 * Exit 0 only when every dead letter was (or would be) replayed; 1 otherwise; 2 for bad arguments, settings
 * or a leftover file that cannot be written.
 */
import { CloudEvent } from 'cloudevents';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { closeSync, createReadStream, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { str } from 'envalid';
import pino from 'pino';
import { composeSettings, defineSettings, loadProcessConfig, uriReference } from '../shared/config';
import { FEEDBACK_EVENTS, feedbackDataSchema, feedbackEventType } from '../shared/contracts/email-feedback';
import { emailSentDataSchema, emailSentEventType } from '../shared/contracts/email-sent';
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
      EVENT_SOURCE: uriReference({
        default: '/mailer/send-mail',
        desc: "The one source whose events are replayed: send-mail's EVENT_SOURCE by default; feedback's (/mailer/feedback, with its KAFKA_TOPIC) for its dead letters.",
      }),
    },
  }),
]);

/** What one input line is. */
export type ReplayLine =
  | { readonly kind: 'other' }
  | { readonly kind: 'held'; readonly event: CloudEvent<unknown> }
  | { readonly kind: 'dead-letter'; readonly event: CloudEvent<unknown> }
  | { readonly kind: 'unreplayable'; readonly reason: string };

/** Words only a dead-letter line (or a piece of one) holds. */
const DEAD_LETTER_TRACES = ['event not published', '"cloudevent"', 'events.publish.'];

/** A dead-letter line's CloudEvent, as it was built (not re-stamped: the SDK would give a new id otherwise). */
export function parseLine(line: string): ReplayLine {
  const start = line.indexOf('{'); // `kubectl logs --prefix` puts the pod's name first
  const damaged = (): ReplayLine =>
    // A truncated or split line of JSON, or a piece of a dead letter: nothing to vouch for, never skipped quietly.
    start >= 0 || DEAD_LETTER_TRACES.some((trace) => line.includes(trace))
      ? { kind: 'unreplayable', reason: 'damaged line: not one whole JSON log line' }
      : { kind: 'other' };
  if (start < 0) return damaged();
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(start));
  } catch {
    return damaged();
  }
  if (parsed === null || typeof parsed !== 'object') return damaged();
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

/** Why this mailer cannot vouch for an event (not its own type or source, data off its schema), if it cannot. */
export type Vouch = (event: CloudEvent<unknown>) => string | undefined;

/**
 * The mailer's own events: each type under the prefix with its data schema (email.sent, and feedback's
 * email.bounced, email.delayed, email.complained), from the one source of this run (EVENT_SOURCE: run the
 * tool with the settings of the function whose dead letters these are).
 */
export function ownEvents(config: { readonly EVENT_TYPE_PREFIX: string; readonly EVENT_SOURCE: string }): Vouch {
  const ajv = addFormats(new Ajv2020({ allErrors: false, strict: true, keywords: ['example'] }));
  const schemas = new Map([
    [emailSentEventType(config.EVENT_TYPE_PREFIX), ajv.compile(emailSentDataSchema)],
    ...FEEDBACK_EVENTS.map(
      (name) => [feedbackEventType(config.EVENT_TYPE_PREFIX, name), ajv.compile(feedbackDataSchema(name))] as const,
    ),
  ]);
  return (event) => {
    const valid = schemas.get(event.type);
    if (valid === undefined) return `not this mailer's event type: ${event.type}`;
    if (event.source !== config.EVENT_SOURCE) return `not this mailer's source: ${event.source}`;
    if (!valid(event.data)) return `data not valid against the ${event.type} schema`;
    return undefined;
  };
}

/** A line left over, with the reason: the line's own JSON (still a dead letter the tool reads) or the raw text. */
export function leftoverLine(line: string, reason: string): string {
  const start = line.indexOf('{');
  try {
    const parsed: unknown = JSON.parse(line.slice(Math.max(start, 0)));
    if (start >= 0 && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return JSON.stringify({ ...parsed, replay_leftover: { reason } });
  } catch {
    // damaged: kept as text below
  }
  return JSON.stringify({ replay_leftover: { reason }, line });
}

export interface ReplayOptions {
  readonly includeHeld: boolean;
  readonly vouch: Vouch;
  /** Send nothing: count what would be sent, and tell each one to `onWouldSend`. */
  readonly dryRun?: boolean;
  readonly onWouldSend?: (event: CloudEvent<unknown>) => void;
}

export async function replay(
  lines: AsyncIterable<string>,
  publisher: Pick<EventPublisher, 'replay'>,
  options: ReplayOptions,
): Promise<{ counts: ReplayCounts; leftover: string[] }> {
  const counts: ReplayCounts = { replayed: 0, skipped: 0, failed: 0 };
  const leftover: string[] = [];
  const leave = (line: string, reason: string): void => {
    counts.failed += 1;
    leftover.push(leftoverLine(line, reason));
  };
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const parsed = parseLine(line);
    if (parsed.kind === 'other') {
      counts.skipped += 1;
      continue;
    }
    if (parsed.kind === 'unreplayable') {
      leave(line, parsed.reason);
      continue;
    }
    if (parsed.kind === 'held' && !options.includeHeld) {
      leave(line, 'held: replay with --include-held once what it reports is known');
      continue;
    }
    const refused = options.vouch(parsed.event);
    if (refused !== undefined) {
      leave(line, refused);
      continue;
    }
    if (options.dryRun) {
      options.onWouldSend?.(parsed.event);
      counts.replayed += 1;
      continue;
    }
    try {
      await publisher.replay(parsed.event);
      counts.replayed += 1;
    } catch (err) {
      leave(line, `not sent: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { counts, leftover };
}

/**
 * The leftover file, opened for appending before anything is sent: a path that cannot be written stops the
 * run at once. A file this run created and left empty is removed.
 */
function openLeftover(path: string): { write(lines: readonly string[]): void; close(): { existed: boolean } } {
  const existed = existsSync(path);
  const fd = openSync(path, 'a');
  let written = 0;
  return {
    write(lines) {
      for (const line of lines) writeSync(fd, `${line}\n`);
      written += lines.length;
    },
    close() {
      closeSync(fd);
      if (!existed && written === 0) unlinkSync(path);
      return { existed };
    },
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const files = args.filter((arg) => !arg.startsWith('--'));
  const leftoverFile = args.find((arg) => arg.startsWith('--leftover='))?.slice('--leftover='.length);
  const flags = ['--include-held', '--dry-run'];
  const unknown = args.filter((arg) => arg.startsWith('--') && !arg.startsWith('--leftover=') && !flags.includes(arg));
  if (files.length > 1 || unknown.length > 0) {
    process.stderr.write('usage: replay-events [FILE] [--leftover=PATH] [--include-held] [--dry-run]\n');
    return 2;
  }
  const dryRun = args.includes('--dry-run');
  const config = loadProcessConfig(replaySettings);
  const leftoverPath = leftoverFile ?? `replay-leftover-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
  let leftoverFileOpen: ReturnType<typeof openLeftover> | undefined;
  if (!dryRun) {
    try {
      leftoverFileOpen = openLeftover(leftoverPath);
    } catch (err) {
      process.stderr.write(
        `replay-events: cannot write the leftover file ${leftoverPath}: ${(err as Error).message}; nothing was sent\n`,
      );
      return 2;
    }
  }
  // Logs (the breaker's) go to stderr: stdout carries only the counts (and, dry, what would be sent).
  const logger = createLogger({ service: 'replay-events', config, destination: pino.destination(2) });
  const publisher = dryRun ? undefined : createEventPublisher(config, logger);
  const input = files[0] === undefined || files[0] === '-' ? process.stdin : createReadStream(files[0]);
  try {
    const { counts, leftover } = await replay(
      createInterface({ input, crlfDelay: Infinity }),
      publisher ?? { replay: () => Promise.reject(new Error('dry run')) },
      {
        includeHeld: args.includes('--include-held'),
        vouch: ownEvents(config),
        dryRun,
        onWouldSend: (event) =>
          process.stdout.write(
            `would send ${event.id} ${event.type} from ${event.source} (${String(event.subject ?? '')})\n`,
          ),
      },
    );
    leftoverFileOpen?.write(leftover);
    const appended = leftoverFileOpen?.close().existed ?? false;
    process.stdout.write(
      `${dryRun ? 'would replay' : 'replayed'} ${counts.replayed}, skipped ${counts.skipped}, failed ${counts.failed} (transport ${eventTransport(config)}${dryRun ? ', dry run' : ''})` +
        (leftover.length > 0 && !dryRun
          ? `; lines not replayed ${appended ? 'appended' : 'written'} to ${leftoverPath}, each with its reason`
          : '') +
        '\n',
    );
    return counts.failed === 0 ? 0 : 1;
  } finally {
    await publisher?.stop();
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
