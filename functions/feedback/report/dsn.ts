/** RFC 3464 delivery status notifications: one reading per recipient group that is not a success. */
import { classify, smtpCommandIn, type SmtpCommand } from './classify';
import { fieldGroups, first, typedAddress, typedText } from './fields';
import { MAX_RECIPIENTS, type RecipientReading } from './reading';

/** One more than MAX_RECIPIENTS: a report with more is refused (read-report.ts), unread further here. */
const MAX_GROUPS = MAX_RECIPIENTS + 1;

/** Actions that report a delivery, not a failure (RFC 3464 §2.3.3): nothing to classify. */
const SUCCESS = new Set(['delivered', 'relayed', 'expanded']);

/**
 * `notice` is the report's human-readable part, which often says more than the fields (the SMTP command).
 * `fallback`: the recipient to use for a group whose Final-Recipient is no address (`@host` alone, as a
 * mangled Sendmail DSN has it): the returned mail's own recipient, when it names exactly one.
 */
export function readDeliveryStatus(
  body: string,
  notice: string,
  fallback?: string,
): { readings: RecipientReading[]; delivered: number } {
  const readings: RecipientReading[] = [];
  let delivered = 0;
  // A report is about one mail: the per-message group and at most MAX_GROUPS recipients are read.
  for (const group of fieldGroups(body).slice(0, MAX_GROUPS + 1)) {
    const named = typedText(first(group, 'final-recipient')) ?? typedText(first(group, 'original-recipient'));
    if (named === undefined) continue;
    // A local delivery to a program or a file (Exim, Sendmail): "|/usr/bin/procmail … user@host".
    const local = /^["']?[|/]/.test(named);
    const recipient =
      typedAddress(first(group, 'final-recipient')) ??
      typedAddress(first(group, 'original-recipient')) ??
      (local ? /[^\s<>"'|/@]+@[a-z0-9.-]+\.[a-z]{2,}/i.exec(named.slice(0, 1000))?.[0] : undefined) ??
      fallback;
    if (recipient === undefined) continue;
    const action = first(group, 'action')
      ?.toLowerCase()
      .replace(/\s*\(.*$/, '');
    if (action !== undefined && SUCCESS.has(action)) {
      delivered++;
      continue;
    }
    const code = first(group, 'diagnostic-code');
    const diagnostic = typedText(code);
    const remoteMta = typedText(first(group, 'remote-mta'));
    const verdict = classify({
      action,
      status: first(group, 'status'),
      diagnostic,
      command: commandNear(notice, recipient),
      notice: paragraphAbout(notice, recipient),
      diagnosticType: local ? 'x-unix' : code && /^\s*[\w-]+\s*;/.test(code) ? code.split(';')[0]?.trim() : undefined,
    });
    readings.push({
      recipient,
      ...verdict,
      ...(diagnostic ? { diagnostic: diagnostic.slice(0, 1000) } : {}),
      ...(remoteMta ? { remoteMta } : {}),
    });
  }
  return { readings, delivered };
}

const PIPELINED_RCPT = /need RCPT|no valid recipients|RCPT commands were rejected/i;

/**
 * The command named in the notice's paragraph about this recipient (Postfix: "<user@host>: host … said: …
 * (in reply to end of DATA command)"), or in the transcript just before it (Sendmail: ">>> DATA").
 */
function commandNear(notice: string, recipient: string): SmtpCommand | undefined {
  const text = notice.toLowerCase();
  const address = recipient.toLowerCase();
  for (let at = text.indexOf(address), seen = 0; at !== -1 && seen < 10; at = text.indexOf(address, at + 1), seen++) {
    const after = notice.slice(at, at + 2000).split(/\n\s*\n/)[0] ?? '';
    const before =
      notice
        .slice(Math.max(0, at - 300), at)
        .split(/\n\s*\n/)
        .pop() ?? '';
    const command = smtpCommandIn(after) ?? smtpCommandIn(before);
    // Pipelined RCPT and DATA: a refusal shown after ">>> DATA" but followed by "Need RCPT" answered the RCPT.
    if (command === 'data' && PIPELINED_RCPT.test(notice.slice(at, at + 600))) return 'rcpt';
    if (command) return command;
  }
  return undefined;
}

/** The notice's paragraph that names the recipient (Gmail: "** Address not found ** … wasn't delivered to …"). */
function paragraphAbout(notice: string, recipient: string): string | undefined {
  const at = notice.toLowerCase().indexOf(recipient.toLowerCase());
  if (at === -1) return undefined;
  const start = notice.lastIndexOf('\n\n', at);
  const paragraph = notice
    .slice(start === -1 ? 0 : start, at + 1000)
    .split(/\n\s*\n/)
    .find((text) => text.trim() !== '');
  return paragraph?.replace(/\s+/g, ' ').trim().slice(0, 1000);
}
