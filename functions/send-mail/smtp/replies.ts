/**
 * Keeps each pooled SMTP connection's replies attributed to their commands. nodemailer pairs replies with
 * commands by order alone, so one extra reply line (a duplicated `250` from a broken middlebox) shifts every
 * later reply by one: the 354 to DATA is read as the reply to the final dot, and a delivered mail is answered
 * as failed. This audit reads nodemailer's transaction log (every command written, every reply read, in
 * order, each reply before nodemailer acts on it) and poisons the connection at the first reply that arrives
 * with no command pending or whose code does not fit its command. A poisoned connection is never reused, and
 * the transaction in progress ends by the usual rule: before the final dot, no mail; after it, unknown.
 */

/** Why a connection's replies can no longer be attributed to its commands. */
export class SmtpDesyncError extends Error {
  readonly code = 'EDESYNC';
  constructor(readonly reason: string) {
    super(`SMTP replies out of step with their commands: ${reason}`);
    this.name = 'SmtpDesyncError';
  }
}

/** The logger nodemailer's SMTPConnection takes (`logger`, with `transactionLog: true`). */
export interface TransactionLogger {
  trace(): void;
  debug(entry: { tnx?: string }, message?: unknown): void;
  info(): void;
  warn(): void;
  error(): void;
  fatal(): void;
}

export interface ReplyAudit {
  /** Pass to the SMTPConnection as its `logger`, with `transactionLog: true`. */
  readonly logger: TransactionLogger;
  /** Starts attributing: the session is set up (greeting, EHLO, AUTH), so every reply from now on answers a command. */
  watch(): void;
  /** The whole message was handed to DATA: the final dot is on its way and its reply is pending. */
  dataEnded(): void;
  /** The first reason replies went out of step, if they did. */
  readonly desync: SmtpDesyncError | undefined;
}

/** The codes a reply to each command may carry (RFC 5321 4.3.2); the final dot is `.`. */
function fits(command: string, code: number): boolean {
  const kind = Math.floor(code / 100);
  if (command === 'DATA') return code === 354 || kind === 4 || kind === 5;
  return kind === 2 || kind === 4 || kind === 5;
}

/** The command's verb as it is written (`MAIL FROM:<…>` → `MAIL`; a lone `.` ends a refused DATA). */
function verbOf(line: string): string {
  return line === '.' ? '.' : (line.split(/[\s:]/, 1)[0] ?? '').toUpperCase();
}

export function createReplyAudit(): ReplyAudit {
  let watching = false;
  const pending: string[] = [];
  let desync: SmtpDesyncError | undefined;
  const poison = (reason: string): void => {
    desync ??= new SmtpDesyncError(reason);
  };
  const ignore = (): void => undefined;
  return {
    logger: {
      trace: ignore,
      info: ignore,
      warn: ignore,
      error: ignore,
      fatal: ignore,
      debug(entry, message) {
        if (!watching || desync) return;
        const line = typeof message === 'string' ? message : '';
        if (entry.tnx === 'client') {
          pending.push(verbOf(line));
          return;
        }
        if (entry.tnx !== 'server') return;
        const command = pending.shift();
        const code = Number(line.slice(0, 3));
        if (command === undefined) poison(`a reply (${line.slice(0, 3)}) with no command pending`);
        else if (!Number.isInteger(code) || !fits(command, code))
          poison(`a ${line.slice(0, 3)} reply does not fit ${command === '.' ? 'the final dot' : command}`);
      },
    },
    watch() {
      watching = true;
    },
    dataEnded() {
      if (watching) pending.push('.');
    },
    get desync() {
      return desync;
    },
  };
}
