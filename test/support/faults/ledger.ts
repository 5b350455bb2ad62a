/**
 * The ledger of issue 13: what the clients were answered, what the SMTP server received, what reached the
 * topic and what the function logged, checked against one rule. A 200 had its mail accepted exactly once;
 * any other answer sent no mail, except 502 email.send.unknown with its "mail outcome unknown" line; every
 * delivered mail has exactly one event id on the topic or one dead-letter line; no event without a mail.
 * Requests carry their own X-B3-TraceId, which the mail and the log lines carry too, so every mail and
 * line is matched to its request even when no answer arrived.
 */
import type { ConsumedRecord } from '../kafka-mock/consumer';
import type { ReceivedMail } from '../smtp-server';

export const UNKNOWN_CODE = 'email.send.unknown';
const UNKNOWN_LINE = 'mail outcome unknown';
/** The dead letter that holds the event of a mail whose outcome is unknown. */
const HELD_CODE = 'events.publish.held';
const DEAD_LETTER_LINE = 'email.sent event not published: dead letter';

export interface LedgerSources {
  /** Every mail every SMTP peer received so far. */
  mails(): readonly ReceivedMail[];
  /** Every record read from the topic so far (read while the load runs: the mock drops old records). */
  records(): readonly ConsumedRecord[];
  /** The function's stdout (ECS lines), of every process that served the load. */
  stdout(): string;
}

export interface LedgerAnswer {
  /** The HTTP status; for a batch item, 200 when it was `sent` and 0 for any other item status. */
  readonly status: number;
  /** The error code of an error answer (of a batch item: its `code`). */
  readonly code?: string;
  /** The messageId of a 200 answer (and of a batch item whose outcome is unknown). */
  readonly messageId?: string;
  /** A batch item's own status (sent, failed, unknown, not_attempted). */
  readonly item?: string;
}

export interface LedgerRequest {
  readonly traceId: string;
  readonly to: string;
  answer?: LedgerAnswer;
  /** Why no answer arrived (socket closed, refused, …). */
  noAnswer?: string;
  /** From sending to the answer (or to giving up on one). */
  elapsedMs?: number;
}

export interface SettleOptions {
  readonly quietMs?: number;
  readonly graceMs?: number;
  readonly maxMs?: number;
  readonly busy?: () => boolean;
}

export interface Violation {
  readonly rule: string;
  readonly messageId?: string;
  readonly traceId?: string;
  readonly detail: string;
}

export const RULES = {
  okHasOneMail: 'a 200 answer had its mail accepted exactly once',
  mailIsAnswered: 'a mail at the SMTP server belongs to a 200 or to a logged email.send.unknown',
  errorSentNothing: 'an error answer sent no mail',
  unansweredSentNothing: 'a request without an answer sent no mail',
  unknownIsLogged: 'an email.send.unknown answer has its "mail outcome unknown" line',
  mailHasOneEvent: 'a delivered mail has exactly one event id on the topic or one dead-letter line',
  unknownIsHeld: 'a mail of unknown outcome has exactly one held dead-letter line and nothing on the topic',
  refusedNeverLands: 'a dead letter with outcome failure is not on the topic',
  noEventWithoutMail: 'no event for a mail that was not delivered',
} as const;

interface Event {
  readonly id: string;
  readonly messageId: string;
}

interface DeadLetter extends Event {
  readonly outcome: string;
  readonly code: string;
}

interface UnknownLine {
  readonly messageId: string;
  readonly traceId: string;
}

export class Ledger {
  readonly requests: LedgerRequest[] = [];

  constructor(private readonly sources: LedgerSources) {}

  /** Records a request about to be sent; the caller fills in its answer or why none came. */
  begin(traceId: string, to: string): LedgerRequest {
    const request: LedgerRequest = { traceId, to };
    this.requests.push(request);
    return request;
  }

  /**
   * Waits until nothing new arrives (mails, records, log lines) for `quietMs` and every mail has its event
   * or dead letter; a mail still without one gets `graceMs` more of quiet, and `maxMs` bounds it all. Late
   * deliveries after an error answer are exactly what the check hunts; `busy` (a peer still
   * mid-conversation) keeps it waiting too.
   */
  async settle({
    quietMs = 1500,
    graceMs = 4000,
    maxMs = 30_000,
    busy = () => false,
  }: SettleOptions = {}): Promise<void> {
    const start = Date.now();
    let last = '';
    let since = Date.now();
    while (Date.now() - start < maxMs) {
      const now = `${this.sources.mails().length}/${this.sources.records().length}/${this.sources.stdout().length}`;
      if (now !== last || busy()) {
        last = now;
        since = Date.now();
      }
      const quiet = Date.now() - since;
      if (quiet >= quietMs && (this.everyMailAccounted() || quiet >= quietMs + graceMs)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Every violation of the rule, in a readable form; empty when the ledger holds. */
  check(): Violation[] {
    const violations: Violation[] = [];
    const mails = this.mails();
    const events = this.events();
    const deadLetters = this.deadLetters();
    const unknownLines = this.unknownLines();
    const byTrace = new Map(this.requests.map((request) => [request.traceId, request]));
    // The items of one batch share its trace id: each is told apart by its recipient.
    const byTraceAndTo = new Map(this.requests.map((request) => [`${request.traceId} ${request.to}`, request]));
    const okByMessageId = new Map<string, LedgerRequest>();
    for (const request of this.requests) {
      if (request.answer?.status === 200 && request.answer.messageId)
        okByMessageId.set(normalise(request.answer.messageId), request);
    }
    const loggedUnknown = new Set(unknownLines.map((line) => line.messageId));
    const mailCount = countBy(mails.map((mail) => mail.messageId));

    for (const [messageId, request] of okByMessageId) {
      const count = mailCount.get(messageId) ?? 0;
      if (count !== 1)
        violations.push({
          rule: RULES.okHasOneMail,
          messageId,
          traceId: request.traceId,
          detail: `answered 200, ${count} mails at the SMTP server`,
        });
    }
    for (const request of this.requests) {
      if (request.answer?.status === 200 && !request.answer.messageId)
        violations.push({
          rule: RULES.okHasOneMail,
          traceId: request.traceId,
          detail: 'answered 200 without a messageId',
        });
      const unknownMessageId = request.answer?.messageId;
      const logged =
        unknownMessageId === undefined
          ? unknownLines.some((line) => line.traceId === request.traceId)
          : loggedUnknown.has(normalise(unknownMessageId));
      if (request.answer?.code === UNKNOWN_CODE && !logged) {
        violations.push({
          rule: RULES.unknownIsLogged,
          traceId: request.traceId,
          detail: 'answered 502 email.send.unknown, no "mail outcome unknown" line with its trace id',
        });
      }
    }

    const delivered = new Set<string>();
    const unknownDelivered = new Set<string>();
    for (const [messageId, count] of mailCount) {
      const mail = mails.find((candidate) => candidate.messageId === messageId);
      const traceId = mail?.traceId ?? '';
      const request =
        okByMessageId.get(messageId) ?? byTraceAndTo.get(`${traceId} ${mail?.to ?? ''}`) ?? byTrace.get(traceId);
      const ids = { messageId, traceId };
      if (request?.answer?.status === 200) {
        delivered.add(messageId);
        if (!okByMessageId.has(messageId))
          violations.push({
            rule: RULES.mailIsAnswered,
            ...ids,
            detail: `its request was answered 200 with another messageId (${request.answer.messageId ?? 'none'})`,
          });
        continue;
      }
      if (
        request?.answer?.code === UNKNOWN_CODE ||
        (request !== undefined && !request.answer && loggedUnknown.has(messageId))
      ) {
        unknownDelivered.add(messageId);
        if (!loggedUnknown.has(messageId))
          violations.push({
            rule: RULES.mailIsAnswered,
            ...ids,
            detail: 'answered email.send.unknown, but no "mail outcome unknown" line names this Message-ID',
          });
        if (count > 1)
          violations.push({
            rule: RULES.mailIsAnswered,
            ...ids,
            detail: `an unknown outcome, yet ${count} copies at the SMTP server`,
          });
        continue;
      }
      delivered.add(messageId);
      if (request === undefined)
        violations.push({
          rule: RULES.mailIsAnswered,
          ...ids,
          detail: 'a mail that matches no request (neither Message-ID nor X-B3-TraceId)',
        });
      else if (request.answer)
        violations.push({
          rule: RULES.errorSentNothing,
          ...ids,
          detail:
            `delivered, yet its request was answered ${request.answer.status} ${request.answer.code ?? ''}`.trim(),
        });
      else
        violations.push({
          rule: RULES.unansweredSentNothing,
          ...ids,
          detail: `delivered, yet its request got no answer (${request.noAnswer ?? 'pending'}) and no "mail outcome unknown" line`,
        });
    }

    for (const messageId of delivered) {
      const onTopic = new Set(events.filter((event) => event.messageId === messageId).map((event) => event.id));
      const letters = deadLetters.filter((letter) => letter.messageId === messageId);
      const ids = new Set([...onTopic, ...letters.map((letter) => letter.id)]);
      if (ids.size === 0)
        violations.push({
          rule: RULES.mailHasOneEvent,
          messageId,
          detail: 'delivered, no event on the topic and no dead-letter line',
        });
      if (ids.size > 1)
        violations.push({
          rule: RULES.mailHasOneEvent,
          messageId,
          detail: `${ids.size} different event ids: ${[...ids].join(', ')}`,
        });
      if (letters.length > 1)
        violations.push({ rule: RULES.mailHasOneEvent, messageId, detail: `${letters.length} dead-letter lines` });
    }
    for (const letter of deadLetters) {
      if (letter.outcome === 'failure' && events.some((event) => event.id === letter.id)) {
        violations.push({
          rule: RULES.refusedNeverLands,
          messageId: letter.messageId,
          detail: `event ${letter.id} dead-lettered as failure (refused), yet it is on the topic`,
        });
      }
    }
    // An unknown outcome is never published: its event waits, held, until the mail is found at the server.
    for (const messageId of loggedUnknown) {
      const held = deadLetters.filter((letter) => letter.messageId === messageId);
      if (held.length !== 1 || held[0]?.code !== HELD_CODE)
        violations.push({
          rule: RULES.unknownIsHeld,
          messageId,
          detail: `${held.length} dead-letter lines (${held.map((letter) => letter.code).join(', ')})`,
        });
      if (events.some((event) => event.messageId === messageId))
        violations.push({ rule: RULES.unknownIsHeld, messageId, detail: 'its event is on the topic' });
    }
    for (const event of [...events, ...deadLetters]) {
      if (delivered.has(event.messageId) || unknownDelivered.has(event.messageId)) continue;
      // A held dead letter of an unknown outcome stands whether or not the mail arrived.
      if ('code' in event && event.code === HELD_CODE && loggedUnknown.has(event.messageId)) continue;
      const where = 'outcome' in event ? 'a dead-letter line' : 'the topic';
      violations.push({
        rule: RULES.noEventWithoutMail,
        messageId: event.messageId,
        detail: `event ${event.id} in ${where}, no such mail at the SMTP server`,
      });
    }
    return dedupe(violations);
  }

  /** Empty when the ledger holds; otherwise what the load got and every violation, for a failure message. */
  report(): string {
    const violations = this.check();
    return violations.length === 0 ? '' : `${this.summary()}\n${formatViolations(violations)}`;
  }

  /** Counts for a test's log: how the load was answered and what arrived where. */
  summary(): string {
    const answers = countBy(
      this.requests.map((request) =>
        request.answer
          ? `${request.answer.item ?? request.answer.status}${request.answer.code ? ` ${request.answer.code}` : ''}`
          : `no answer (${request.noAnswer ?? 'pending'})`,
      ),
    );
    const parts = [...answers].map(([what, count]) => `${count}× ${what}`);
    return `${this.requests.length} requests: ${parts.join(', ')}; ${this.sources.mails().length} mails, ${this.events().length} records, ${this.deadLetters().length} dead letters, ${this.unknownLines().length} unknown-outcome lines`;
  }

  private everyMailAccounted(): boolean {
    const events = new Set([...this.events(), ...this.deadLetters()].map((event) => event.messageId));
    return this.mails().every((mail) => events.has(mail.messageId));
  }

  private mails(): { messageId: string; traceId: string; to: string }[] {
    return this.sources.mails().map((mail) => {
      const headers = headerFields(mail.raw);
      return {
        messageId: normalise(headers.get('message-id') ?? ''),
        traceId: headers.get('x-b3-traceid') ?? '',
        to: mail.to[0] ?? '',
      };
    });
  }

  private events(): Event[] {
    return this.sources.records().map(eventOf);
  }

  private lines(): Record<string, unknown>[] {
    return this.sources
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  private deadLetters(): DeadLetter[] {
    return this.lines()
      .filter((line) => line.message === DEAD_LETTER_LINE)
      .map((line) => {
        const event = (field(line, 'cloudevent') ?? {}) as Record<string, unknown>;
        const data = (event.data ?? {}) as Record<string, unknown>;
        return {
          id: text(event.id),
          messageId: normalise(text(event.subject ?? data.messageId)),
          outcome: text(field(line, 'event.outcome')),
          code: text(field(line, 'event.code')),
        };
      });
  }

  private unknownLines(): UnknownLine[] {
    return this.lines()
      .filter((line) => line.message === UNKNOWN_LINE)
      .map((line) => ({
        messageId: normalise(text(field(line, 'email.message_id'))),
        traceId: text(field(line, 'trace.id')),
      }));
  }
}

const SHOWN_PER_RULE = 10;

/** Readable lines for a failure message, grouped by rule, the first few violations of each. */
export function formatViolations(violations: readonly Violation[]): string {
  const byRule = new Map<string, Violation[]>();
  for (const violation of violations) byRule.set(violation.rule, [...(byRule.get(violation.rule) ?? []), violation]);
  return [...byRule]
    .map(([rule, list]) => {
      const shown = list
        .slice(0, SHOWN_PER_RULE)
        .map((v) => `    ${v.messageId ?? '-'} trace ${v.traceId ?? '-'}: ${v.detail}`);
      if (list.length > SHOWN_PER_RULE) shown.push(`    … and ${list.length - SHOWN_PER_RULE} more`);
      return `✗ ${rule} (${list.length}):\n${shown.join('\n')}`;
    })
    .join('\n');
}

/** Binary mode carries the CloudEvent's attributes in ce_ headers; structured mode in the JSON value. */
function eventOf(record: ConsumedRecord): Event {
  let value: Record<string, unknown> = {};
  try {
    value = JSON.parse(record.value.toString('utf8')) as Record<string, unknown>;
  } catch {
    // not JSON: only the headers can tell
  }
  if (record.headers.ce_id !== undefined) {
    return { id: record.headers.ce_id, messageId: normalise(record.headers.ce_subject ?? text(value.messageId)) };
  }
  const data = (value.data ?? {}) as Record<string, unknown>;
  return { id: text(value.id), messageId: normalise(text(value.subject ?? data.messageId)) };
}

/** The header block of a raw mail, unfolded, names lower-cased. */
function headerFields(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const fields = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

/** A Message-ID with or without its angle brackets names the same mail. */
function normalise(messageId: string): string {
  return messageId.trim().replace(/^<|>$/g, '');
}

/** A dotted ECS field, nested ({"email":{"message_id":…}}) or flat ({"email.message_id":…}). */
/** A log or event field as text: '' when absent, JSON when it is not a scalar. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function field(line: Record<string, unknown>, path: string): unknown {
  if (path in line) return line[path];
  let value: unknown = line;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((violation) => {
    const key = JSON.stringify(violation);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
