/**
 * One inbound mail to a Reading. Never throws: a mail that cannot be read is kind `unknown`, with a word
 * saying why (the adapter logs it with a hash of the mail, never its content).
 */
import { readFeedbackReport, readJmrp } from './arf';
import { isAutoReply } from './autoreply';
import { readDeliveryStatus } from './dsn';
import { first } from './fields';
import { firstAddress, headerValues, parseMime, returnedHeaders, type Mime } from './mime';
import { MAX_RECIPIENTS, type Reading, type RecipientReading } from './reading';
import { looksLikeBounce, readTextBounce } from './text-bounce';

const DSN_FIELDS = /^(Final|Original)-Recipient:/im;

/** How deep a forwarded bounce (a report attached to a mail) is followed. */
const MAX_DEPTH = 3;

export async function readReport(raw: Uint8Array): Promise<Reading> {
  let mime: Mime;
  try {
    mime = await parseMime(raw);
  } catch {
    return { kind: 'unknown', recipients: [], envelopeRecipients: [], unreadable: 'mime' };
  }
  const envelopeRecipients = envelopeRecipientsOf(mime);
  try {
    return { ...bounded(await readMime(mime, 0, envelopeRecipients)), envelopeRecipients };
  } catch {
    return { kind: 'unknown', recipients: [], envelopeRecipients, unreadable: 'report' };
  }
}

/** `envelopeRecipients`: the mail's own (envelopeRecipientsOf), never a recipient of the bounce it holds. */
async function readMime(
  mime: Mime,
  depth: number,
  envelopeRecipients: readonly string[],
): Promise<Omit<Reading, 'envelopeRecipients'>> {
  const status = mime.parts.filter((part) => /delivery-status$/.test(part.mimeType)).map((part) => part.content);
  // A report whose MIME structure was lost on the way (no Content-Type): its fields are in the text.
  if (status.length === 0 && DSN_FIELDS.test(mime.text)) status.push(mime.text);
  if (status.length > 0) {
    const returned = returnedHeaders(mime);
    const to = returned ? firstAddress(first(returned, 'to')) : undefined;
    // The notice (the human-readable part) is read for what the fields leave out; its head is enough.
    const notice = mime.text.slice(0, 64 * 1024);
    const read = status.map((body) => readDeliveryStatus(body, notice, to));
    const recipients = dedupe(read.flatMap((part) => part.readings));
    // "Delivery report unavailable": the returned mail still says whom it was for; why is unknown.
    if (recipients.length === 0 && read.every((part) => part.delivered === 0) && to)
      recipients.push({ recipient: to, classification: 'unknown', reason: 'unknown' });
    return { kind: 'dsn', recipients };
  }
  const feedback = mime.parts.find((part) => part.mimeType === 'message/feedback-report');
  if (feedback) return { kind: 'arf', recipients: dedupe(readFeedbackReport(feedback, mime)) };
  const jmrp = readJmrp(mime);
  if (jmrp.length > 0) return { kind: 'arf', recipients: jmrp };
  const bounce = looksLikeBounce(mime.from, mime.subject, mime.text);
  if (bounce) {
    const failed = headerValues(mime, 'x-failed-recipients')
      .flatMap((value) => value.slice(0, 10_000).split(','))
      .map((value) => value.trim())
      .filter((value) => /^[^\s@]{1,64}@[^\s@]+$/.test(value));
    const recipients = readTextBounce(mime.subject, mime.text, [mime.from, ...envelopeRecipients], failed);
    if (recipients.length > 0) return { kind: 'dsn', recipients: dedupe(recipients) };
  }
  // A bounce carries Auto-Submitted too: only a mail that is no bounce can be an automatic reply.
  if (!bounce && isAutoReply(mime)) return { kind: 'autoreply', recipients: [] };
  // A report forwarded as an attachment: read the attached mail the same way.
  if (depth < MAX_DEPTH) {
    for (const part of mime.parts.filter((candidate) => candidate.mimeType === 'message/rfc822')) {
      const attached = await parseMime(Buffer.from(part.content, 'utf8'));
      const inner = await readMime(attached, depth + 1, envelopeRecipientsOf(attached));
      if (inner.kind === 'dsn' || inner.kind === 'arf') return inner;
    }
  }
  return { kind: 'unknown', recipients: [] };
}

/** One reading per recipient: a report that names an address twice (two groups, two parts) counts it once. */
function dedupe(readings: RecipientReading[]): RecipientReading[] {
  const seen = new Map<string, RecipientReading>();
  for (const reading of readings) {
    const key = reading.recipient.toLowerCase();
    if (!seen.has(key)) seen.set(key, reading);
  }
  return [...seen.values()];
}

/**
 * A report is about one mail, and send-mail caps a mail's recipients (MAX_RECIPIENTS, 50 by default): one
 * that names more than MAX_RECIPIENTS is no report of ours, and must not fan out into events. It is
 * answered, and none of its recipients is read.
 */
function bounded(reading: Omit<Reading, 'envelopeRecipients'>): Omit<Reading, 'envelopeRecipients'> {
  return reading.recipients.length > MAX_RECIPIENTS
    ? { kind: reading.kind, recipients: [], unreadable: 'too_many_recipients' }
    : reading;
}

/** Where the MTA says it delivered this report: the VERP address, if the report is for one of our mails. */
function envelopeRecipientsOf(mime: Mime): string[] {
  const values = ['x-original-to', 'delivered-to', 'envelope-to', 'to'].flatMap((name) =>
    headerValues(mime, name)
      .slice(0, 10)
      .map((value) => value.slice(0, 1000)),
  );
  const addresses = values.flatMap((value) => value.match(/[^\s<>",;:@]+@[^\s<>",;:@]+/g) ?? []);
  return [...new Set(addresses)].slice(0, 20);
}
