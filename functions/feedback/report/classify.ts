/**
 * From what a report says about one recipient (its Action, Status and the remote server's words) to a
 * classification and a reason. Hard only for a failure positively about the recipient's address (unknown
 * user or host, moved, a domain that takes no mail); anything not understood is `unknown`, never `hard`.
 */
import type { Classification, Reason } from './reading';

export interface Evidence {
  /** DSN Action: failed, delayed, delivered, relayed, expanded; absent for a text bounce. */
  readonly action?: string | undefined;
  /** Enhanced status code from the report (Status:), if any. */
  readonly status?: string | undefined;
  /** The remote server's words (Diagnostic-Code or the text bounce's lines). */
  readonly diagnostic?: string | undefined;
  /** The report as a whole says it is a delay warning (a text bounce: "not yet been delivered"). */
  readonly delayWarning?: boolean | undefined;
  /** The SMTP command the server refused, when the report's text says (see smtpCommandIn). */
  readonly command?: SmtpCommand | undefined;
  /** The report's human-readable words about this recipient: the reason when there is no diagnostic. */
  readonly notice?: string | undefined;
  /** DSN Diagnostic-Code type: `x-unix` is a local mailer program's exit, not the address's fate. */
  readonly diagnosticType?: string | undefined;
}

export type SmtpCommand = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data';

export interface Verdict {
  readonly classification: Classification;
  readonly reason: Reason;
  readonly status?: string;
  readonly smtpCode?: string;
}

/** Reasons that make a failed delivery hard: the address itself is gone. */
const HARD: ReadonlySet<Reason> = new Set<Reason>(['user_unknown', 'host_unknown', 'has_moved', 'not_accepting']);

/** The server's words, first match wins: the most specific phrases before the general ones. */
const PHRASES: readonly (readonly [Reason, RegExp])[] = [
  ['complaint', /\bfeedback[- ]loop\b/i],
  // Exchange Online's answer for a recipient it does not know.
  ['user_unknown', /recipient address rejected: access denied/i],
  // A DNS answer that may change: not the domain's absence.
  [
    'network',
    /malformed or unexpected name server reply|host not found, try again|host name lookup failure|temporary (dns|name)|no relevant answers/i,
  ],
  // The server refused our sender: nothing about the recipient.
  [
    'blocked',
    /domain is invalid|domain of sender address|sender (address )?(rejected|domain|verify failed)|address is not verified|identities failed|unroutable sender/i,
  ],
  ['has_moved', /no longer on (this )?server|\bhas moved\b|not our (user|customer)\b/i],
  ['spam', /\bspam\b|\bUBE\b|virus|malware|content rejected|message content|suspicious|scored as/i],
  [
    'blocked',
    /block(ed|list)|black ?list|\bRBL\b|spamhaus|reverse (dns|lookup)|\bPTR\b|refused to talk|client host rejected|access denied|not allowed to send|unverif|sending ip|\bIP\b.*(listed|reputation|not permitted)|connections? not accepted|unexpected volume|\bSPF\b|\bDMARC\b|DKIM|unauthenticated|authentication (information|checks)|Unroutable sender|Server access|\(BL\)|name lookup failed|not accepting connections|may not be mail exchanger/i,
  ],
  [
    'mailbox_full',
    /mailbox (is )?full|mailbox full|over ?quota|quota (exceeded|full)|exceeded (storage|quota)|disk quota|not enough (disk )?space|insufficient (disk|storage)|mailbox size limit|user's mailbox is full/i,
  ],
  ['message_too_big', /message (size )?(exceeds|too (big|large))|size exceeds|line limit|too large for/i],
  [
    'suspended',
    /suspended|disabled|deactivated|inactive|frozen|account (has been )?(closed|locked|expired)|is not (currently )?(active|accepting)/i,
  ],
  [
    'host_unknown',
    /host (or domain name )?not found|domain (name )?not found|host unknown|unknown host|unrouteable (mail )?domain|name service error|no such domain|domain does not exist|\bdoes not exist\b(?=.*\bdomain\b)|(?<![@\w.-])[a-z0-9-]+(\.[a-z0-9-]+)+ does not exist|NXDOMAIN|could not be resolved|domain may not exist/i,
  ],
  ['not_accepting', /does not accept mail|doesn't receive email|null mx|no mail (service|exchanger)/i],
  [
    'user_unknown',
    /user(name)? (unknown|not found|doesn't exist|does not exist)|unknown (user|recipient|mailbox|address)|no such (user|mailbox|recipient|account|address)|(invalid|illegal|bad|unknown or illegal) (recipient|mailbox|address|user)|recipient (address )?(rejected|unknown|not found|invalid|does not exist)|address (rejected|not found|couldn['’]t be found|unknown|does not exist|invalid)|mailbox (unavailable|not found|does not exist)|(account|mailbox) (that you tried to reach )?does not exist|doesn['’]t have an? [\w.]+ account|not a (valid|registered)|destinataire invalide|no mailbox|user not found|not listed in/i,
  ],
  [
    'policy',
    /polic(y|ies)|not permitted|prohibited|violation|header error|too many (hops|headers)|headers too large|8-bit|relay(ing)? (access )?(denied|not permitted)|not configured to relay|Duplicate header|multiple addresses in From/i,
  ],
  [
    'expired',
    /retry time(out)? (not reached|exceeded)|expired|too long|giving up|failing for a long time|delivery time|still undelivered/i,
  ],
  [
    'network',
    /connection (timed out|refused|reset|rate limit)|timed out|lost connection|no route to host|network|too many (connections|recipients|errors)|rate (limit|that prevents)|try again later|host name lookup failure|temporarily (deferred|suspended)|service (not available|unavailable)/i,
  ],
  ['syntax', /syntax|improper sequence|command parameter|malformed|not implemented/i],
  [
    'system',
    /system error|internal error|mailer error|local delivery failed|temporary failure|local (configuration|error)|procmail|operating system|insufficient permission|lock failure|pipe to|transaction failed|could not load/i,
  ],
];

/** Words that only a recipient check says (Gmail's "Address not found"), whenever they come. */
const DEFINITE = /address couldn['’]t be found/i;

/** The enhanced status code's subject and detail, when the server's words give no reason. */
const BY_STATUS: readonly (readonly [RegExp, Reason])[] = [
  [/^\d\.1\.(1|3)$/, 'user_unknown'],
  [/^\d\.1\.2$/, 'host_unknown'],
  [/^\d\.1\.6$/, 'has_moved'],
  [/^\d\.1\.10$/, 'not_accepting'],
  [/^\d\.1\.[78]$/, 'blocked'],
  [/^\d\.2\.1$/, 'suspended'],
  [/^\d\.2\.2$/, 'mailbox_full'],
  [/^\d\.[23]\.4$|^\d\.2\.3$/, 'message_too_big'],
  [/^\d\.3\.\d+$/, 'system'],
  [/^\d\.4\.7$/, 'expired'],
  [/^\d\.4\.\d+$/, 'network'],
  [/^\d\.5\.\d+$/, 'syntax'],
  [/^\d\.6\.\d+$/, 'policy'],
  [/^\d\.7\.(1|25|26|27)$/, 'blocked'],
  [/^\d\.7\.\d+$/, 'policy'],
];

/**
 * Where in the SMTP conversation the server refused, as Postfix ("in reply to … command"), Exim ("after …")
 * and Sendmail's transcript (">>> …") say it.
 */
const COMMAND =
  /in\s+reply\s+to\s+(RCPT\s+TO|MAIL\s+FROM|end\s+of\s+DATA|DATA|HELO|EHLO|xforward|connect)\b|after\s+(RCPT\s+TO|MAIL\s+FROM|end\s+of\s+data|DATA|initial\s+connection|EHLO|HELO)\b|>>> (DATA|RCPT\s+TO|MAIL\s+FROM|EHLO|HELO)\b|refused\s+to\s+talk\s+to\s+me/i;

export function smtpCommandIn(text: string): SmtpCommand | undefined {
  const match = COMMAND.exec(text);
  if (!match) return undefined;
  const said = (match[1] ?? match[2] ?? match[3] ?? 'connect').toLowerCase();
  if (said.startsWith('rcpt')) return 'rcpt';
  if (said.startsWith('mail')) return 'mail';
  if (said.includes('data')) return 'data';
  if (said === 'ehlo' || said === 'helo' || said === 'xforward') return 'helo';
  return 'connect';
}

const STATUS_IN_TEXT = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
const REPLY_IN_TEXT = /(?:^|[\s:;\]])([245]\d\d)(?:[\s-]|$)/;

/** The first RFC 3463 code in the text, or undefined. */
function statusIn(text: string): string | undefined {
  const match = STATUS_IN_TEXT.exec(text);
  return match ? `${match[1]}.${match[2]}.${match[3]}` : undefined;
}

export function classify(evidence: Evidence): Verdict {
  // The server's words are short; the patterns read at most their first 2000 characters.
  const diagnostic = (evidence.diagnostic || evidence.notice || '').slice(0, 2000);
  const smtpCode = REPLY_IN_TEXT.exec(diagnostic)?.[1];
  const written = evidence.status === undefined ? undefined : statusIn(evidence.status);
  // The server's own code is more precise than the one the reporting MTA summed it up with.
  let status = statusIn(diagnostic) ?? written;
  if (status === undefined && smtpCode !== undefined) status = `${smtpCode[0]}.0.0`;

  let reason = reasonOf(diagnostic, status);
  const action = evidence.action?.toLowerCase();
  const command = smtpCommandIn(diagnostic) ?? evidence.command;
  // Refused before RCPT: the server refused us (our IP, our sender), not the recipient's address.
  if ((command === 'connect' || command === 'helo' || command === 'mail') && (HARD.has(reason) || reason === 'unknown'))
    reason = 'blocked';
  // "Unknown user" is the address's fate only when the code says so (x.1.1, bad destination mailbox) or the
  // server said it to RCPT; after DATA, or when nothing says when, it may be a content filter's answer.
  if (
    reason === 'user_unknown' &&
    !/^\d\.1\.1$/.test(status ?? '') &&
    command !== 'rcpt' &&
    !DEFINITE.test(`${diagnostic} ${evidence.notice ?? ''}`)
  )
    reason = 'filtered';
  // x.1.7 and x.1.8: the sender's address or domain is bad, whatever the words.
  if (/^\d\.1\.[78]$/.test(status ?? '')) reason = 'blocked';
  // A local mailer program (procmail, a pipe) failing says nothing about the address.
  if (evidence.diagnosticType?.toLowerCase() === 'x-unix' && (HARD.has(reason) || reason === 'unknown'))
    reason = 'system';

  const delayed = action === 'delayed' || evidence.delayWarning === true;
  const classification: Classification = delayed
    ? 'delayed'
    : reason === 'unknown'
      ? 'unknown'
      : HARD.has(reason) && isFailure(action, status)
        ? 'hard'
        : 'soft';
  return {
    classification,
    reason: delayed && reason === 'unknown' ? 'expired' : reason,
    ...(status === undefined ? {} : { status }),
    ...(smtpCode === undefined ? {} : { smtpCode }),
  };
}

function reasonOf(diagnostic: string, status: string | undefined): Reason {
  for (const [reason, phrase] of PHRASES) if (phrase.test(diagnostic)) return reason;
  if (status !== undefined) for (const [code, reason] of BY_STATUS) if (code.test(status)) return reason;
  return 'unknown';
}

/**
 * The delivery failed for good: a permanent (5) code, or a DSN's `failed` without one, or a text bounce
 * (no Action, no code) that is no delay warning. A 4 is temporary.
 */
function isFailure(action: string | undefined, status: string | undefined): boolean {
  if (status !== undefined) return status.startsWith('5') && (action === undefined || action === 'failed');
  return action === undefined || action === 'failed';
}
