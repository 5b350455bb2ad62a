/**
 * Complaints: RFC 5965 feedback reports (message/feedback-report), and the older Microsoft JMRP form (the
 * complained-of mail attached, its recipient in X-HmXmrOriginalRecipient). Each recipient is `complaint`.
 */
import { fieldGroups, first, typedAddress } from './fields';
import { firstAddress, returnedHeaders, type Mime, type Part } from './mime';
import { MAX_RECIPIENTS, type RecipientReading } from './reading';

export function readFeedbackReport(report: Part, mime: Mime): RecipientReading[] {
  const fields = new Map<string, string[]>();
  for (const group of fieldGroups(report.content))
    for (const [name, values] of group) fields.set(name, [...(fields.get(name) ?? []), ...values]);
  const feedbackType = (fields.get('feedback-type')?.[0] ?? 'other').toLowerCase().split(/[\s;]/)[0] ?? 'other';
  const reportingAgent = fields.get('user-agent')?.[0] ?? typedAddress(fields.get('reporting-mta')?.[0]);
  const recipients = (fields.get('original-rcpt-to') ?? [])
    .slice(0, MAX_RECIPIENTS + 1)
    .map((value) => typedAddress(value) ?? value.trim());
  if (recipients.length === 0) {
    const attached = returnedHeaders(mime);
    const to = attached ? firstAddress(first(attached, 'to')) : undefined;
    if (to) recipients.push(to);
  }
  return recipients
    .filter((recipient) => recipient.includes('@'))
    .map((recipient) => ({
      recipient,
      classification: 'complaint',
      reason: 'complaint',
      feedbackType,
      ...(reportingAgent ? { reportingAgent } : {}),
    }));
}

/** Microsoft's JMRP: no feedback-report part, the complained-of mail attached with its recipient stamped. */
export function readJmrp(mime: Mime): RecipientReading[] {
  const attached = returnedHeaders(mime);
  const recipient = attached ? first(attached, 'x-hmxmroriginalrecipient') : undefined;
  return recipient && recipient.includes('@')
    ? [
        {
          recipient: recipient.trim(),
          classification: 'complaint',
          reason: 'complaint',
          feedbackType: 'abuse',
          reportingAgent: 'Microsoft JMRP',
        },
      ]
    : [];
}
