/**
 * SMTP transactions on pooled nodemailer connections (SMTPConnection, pooled by tarn). We run the
 * transaction ourselves instead of through nodemailer's pool because its pool reads the whole message
 * ahead into a buffer: from outside, nobody can tell whether the final `.` of DATA is out. Here the
 * message is piped straight into the DATA stream, so until it has been read to its end the dot cannot
 * have been written, and closing the connection means the server discards the transaction. Every reply is
 * checked against the command it answers (replies.ts): a connection whose replies went out of step is
 * destroyed, never reset or reused, and its message is not let into DATA.
 */
import { Readable } from 'node:stream';
import type { MessageSource } from './message';
import SMTPConnection, {
  type SMTPConnectionCredentials,
  type SMTPConnectionOptions,
} from 'nodemailer/lib/smtp-connection';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { Pool } from 'tarn';
import type { SendMailConfig } from '../settings';
import { createReplyAudit, type ReplyAudit } from './replies';

export interface SmtpPoolSettings {
  readonly url: string;
  readonly size: number;
  readonly connectionTimeoutMs: number;
  readonly greetingTimeoutMs: number;
  readonly socketTimeoutMs: number;
  readonly requireTls: boolean;
}

export interface SmtpTransaction {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** Its bytes, or (a mail with attachments) the stream made as it is read, once DATA was answered and admitted. */
  readonly message: MessageSource;
  /** Aborting closes the connection; the promise then rejects with an EABORT error carrying the reason. */
  readonly signal: AbortSignal;
  /** Called once the whole message has been read: from then on the final `.` may be on the wire. */
  readonly onMessageRead: () => void;
  /**
   * When the send must be over, on performance.now()'s clock. The message is let into DATA only when the
   * DATA phase, as long as it recently took, fits before it; otherwise the send ends with
   * DataAdmissionError: no dot, no mail, rather than a dot whose reply comes too late (an unknown outcome).
   */
  readonly deadline?: number;
}

/** The DATA phase would not fit in what is left of the send's time: refused before the message, nothing sent. */
export class DataAdmissionError extends Error {
  readonly code = 'EADMISSION';
  constructor(
    readonly remainingMs: number,
    readonly neededMs: number,
  ) {
    super(`${Math.round(remainingMs)} ms left for a DATA phase that needs ${Math.round(neededMs)} ms`);
    this.name = 'DataAdmissionError';
  }
}

/** A recipient the server refused on RCPT TO while it took the mail for others. */
export interface RejectedRecipient {
  readonly address: string;
  /** The server's reply code: 5xx permanent, 4xx temporary. */
  readonly replyCode: number;
}

/** Who the server took the mail for, per RCPT TO reply. */
export interface SmtpResult {
  readonly accepted: readonly string[];
  readonly rejected: readonly RejectedRecipient[];
}

export interface SmtpPool {
  /** Resolves once the server replied 2xx to the final `.`: at least one recipient took the mail. */
  send(transaction: SmtpTransaction): Promise<SmtpResult>;
  close(): Promise<void>;
}

interface Pooled {
  readonly connection: SMTPConnection;
  readonly audit: ReplyAudit;
  /** False once the connection ended, failed or was closed; such a connection is never handed out again. */
  usable: boolean;
  sent: number;
}

/** An idle pooled connection is closed after this; servers drop idle sessions themselves after minutes. */
const IDLE_MS = 30_000;

export type SmtpPoolConfig = Pick<
  SendMailConfig,
  | 'SMTP_URL'
  | 'SMTP_POOL_SIZE'
  | 'SMTP_CONNECTION_TIMEOUT_SECONDS'
  | 'SMTP_GREETING_TIMEOUT_SECONDS'
  | 'SMTP_SOCKET_TIMEOUT_SECONDS'
  | 'SMTP_REQUIRE_TLS'
>;

/** The pool for SMTP_URL, its first session opening at once; none without SMTP_URL (local: the outbox). */
export function openSmtpPool(config: SmtpPoolConfig): SmtpPool | undefined {
  if (config.SMTP_URL === undefined) return undefined;
  return createSmtpPool({
    url: config.SMTP_URL,
    size: config.SMTP_POOL_SIZE,
    connectionTimeoutMs: config.SMTP_CONNECTION_TIMEOUT_SECONDS * 1000,
    greetingTimeoutMs: config.SMTP_GREETING_TIMEOUT_SECONDS * 1000,
    socketTimeoutMs: config.SMTP_SOCKET_TIMEOUT_SECONDS * 1000,
    requireTls: config.SMTP_REQUIRE_TLS,
  });
}

/**
 * How long the DATA phase (the message written, the final dot's reply read) needs: twice the longest of the
 * last phases, and never less than a floor, so a server that slows down is not trusted with the last ms.
 */
function dataPhaseEstimate(): { record(ms: number): void; neededMs(): number } {
  const recent: number[] = [];
  return {
    record(ms) {
      recent.push(ms);
      if (recent.length > DATA_PHASES_KEPT) recent.shift();
    },
    neededMs: () => Math.max(MIN_DATA_PHASE_MS, 2 * Math.max(0, ...recent)),
  };
}

const DATA_PHASES_KEPT = 32;
const MIN_DATA_PHASE_MS = 100;

export function createSmtpPool(settings: SmtpPoolSettings): SmtpPool {
  const url = parseConnectionUrl(settings.url);
  const options: SMTPConnectionOptions = {
    host: url.host ?? 'localhost',
    ...(url.port === undefined ? {} : { port: url.port }),
    secure: url.secure === true,
    requireTLS: settings.requireTls,
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.greetingTimeoutMs,
    socketTimeout: settings.socketTimeoutMs,
    // A connection we give up on is torn down at once, never left to flush what it had queued.
    socketCloseTimeout: 0,
  };
  const auth = url.auth === undefined ? undefined : { user: url.auth.user, pass: url.auth.pass };
  // Sessions still connecting: closing the pool ends them, rather than waiting out their timeouts.
  const opening = new Set<SMTPConnection>();
  const pool = new Pool<Pooled>({
    create: () => open(options, auth, opening),
    destroy: (pooled) => pooled.connection.close(),
    // A reply out of step while the connection sat idle poisons it too: it is destroyed, not handed out.
    validate: reusable,
    min: 0,
    max: settings.size,
    acquireTimeoutMillis: 24 * 3600_000, // the caller's signal bounds the wait, not the pool
    createTimeoutMillis: settings.connectionTimeoutMs + settings.greetingTimeoutMs + settings.socketTimeoutMs,
    idleTimeoutMillis: IDLE_MS,
    propagateCreateError: true,
  });

  const dataPhase = dataPhaseEstimate();
  const transact = async (transaction: SmtpTransaction, retried: boolean): Promise<SmtpResult> => {
    const pooled = await acquire(pool, transaction.signal);
    let messageRead = false;
    try {
      const result = await deliver(pooled, transaction, dataPhase, () => {
        messageRead = true;
        transaction.onMessageRead();
      });
      pooled.sent += 1;
      pool.release(pooled);
      return result;
    } catch (err) {
      const resettable = reusable(pooled) && keepsSession(err) && !transaction.signal.aborted;
      if (resettable)
        pooled.connection.reset((resetErr) => finish(pool, pooled, resetErr === null || resetErr === undefined));
      else finish(pool, pooled, false);
      // A session the server had closed while it sat idle: not a byte of this mail went out, try a fresh one once.
      if (!retried && !messageRead && pooled.sent > 0 && isConnectionLost(err) && !transaction.signal.aborted)
        return transact(transaction, true);
      throw err;
    }
  };

  // One session opens now, beside the rest of the start: the first mail then does not wait for the connect
  // and the server's greeting (smtp-server pauses 100 ms before it greets). A failure here is not an error:
  // the first send opens its own connection and reports what goes wrong then.
  const warm = pool.acquire();
  warm.promise.then(
    (pooled) => pool.release(pooled),
    () => undefined,
  );

  return {
    send: (transaction) => transact(transaction, false),
    async close() {
      for (const connection of opening) connection.close();
      await pool.destroy();
    },
  };
}

async function open(
  options: SMTPConnectionOptions,
  auth: SMTPConnectionCredentials | undefined,
  opening: Set<SMTPConnection>,
): Promise<Pooled> {
  const audit = createReplyAudit();
  const connection = new SMTPConnection({ ...options, logger: audit.logger, transactionLog: true });
  opening.add(connection);
  const pooled: Pooled = { connection, audit, usable: false, sent: 0 };
  connection.on('error', () => (pooled.usable = false));
  connection.on('end', () => (pooled.usable = false));
  // Failures before the session is up arrive as 'error' (or a bare 'end'), never through connect's callback.
  const failed = new Promise<never>((_, reject) => {
    connection.once('error', reject);
    connection.once('end', () =>
      reject(Object.assign(new Error('SMTP connection closed before it was ready'), { code: 'ECONNECTION' })),
    );
  });
  try {
    await Promise.race([new Promise<void>((resolve) => connection.connect(() => resolve())), failed]);
    if (auth)
      await Promise.race([
        new Promise<void>((resolve, reject) => connection.login(auth, (err) => (err ? reject(err) : resolve()))),
        failed,
      ]);
  } catch (err) {
    connection.close();
    throw err;
  } finally {
    opening.delete(connection);
  }
  failed.catch(() => undefined);
  pooled.usable = true;
  audit.watch();
  return pooled;
}

/** Waits for a connection; an abort while waiting leaves the pool as it was. */
async function acquire(pool: Pool<Pooled>, signal: AbortSignal): Promise<Pooled> {
  signal.throwIfAborted();
  const pending = pool.acquire();
  const onAbort = (): void => pending.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await pending.promise;
  } catch (err) {
    throw signal.aborted ? abortError(signal) : err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function deliver(
  pooled: Pooled,
  transaction: SmtpTransaction,
  dataPhase: ReturnType<typeof dataPhaseEstimate>,
  onMessageRead: () => void,
): Promise<SmtpResult> {
  const { signal, deadline } = transaction;
  const { audit } = pooled;
  let dataStarted: number | undefined;
  return new Promise<SmtpResult>((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    // Read only once DATA was answered in step (a message let in on a misread reply would be delivered while
    // the answer says it failed) and its phase fits in the time left. Refused here, it never gets its final
    // dot: no mail.
    const admit = (): void => {
      dataStarted = performance.now();
      const remainingMs = deadline === undefined ? Number.POSITIVE_INFINITY : deadline - dataStarted;
      const neededMs = dataPhase.neededMs();
      if (audit.desync) throw audit.desync;
      if (remainingMs < neededMs) throw new DataAdmissionError(remainingMs, neededMs);
    };
    const source = transaction.message;
    const message =
      'bytes' in source
        ? new Readable({
            read() {
              if (dataStarted !== undefined) return;
              try {
                admit();
              } catch (err) {
                return this.destroy(err as Error);
              }
              this.push(source.bytes);
              this.push(null);
            },
          })
        : Readable.from(
            (async function* admitted() {
              admit();
              // Made as the connection takes it: what is on its way is a buffer's worth, never the whole message.
              yield* source.stream();
            })(),
            { objectMode: false },
          );
    message.once('end', () => {
      audit.dataEnded();
      onMessageRead();
    });
    const onAbort = (): void => {
      pooled.usable = false;
      pooled.connection.close();
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pooled.connection.send(
      { from: transaction.envelope.from, to: [...transaction.envelope.to] },
      message,
      (err, info) => {
        signal.removeEventListener('abort', onAbort);
        const refused = message.errored ?? undefined;
        if (audit.desync) {
          // Whatever nodemailer made of the replies, they are not this mail's: no reply code, so the answer
          // follows from how far the message got (delivery.ts). The connection is never used again.
          pooled.usable = false;
          reject(audit.desync);
        } else if (refused !== undefined) {
          // Refused admission, or the message failed while it was made (composing, signing): no final dot. The
          // server waits for the rest of a message that never comes: the session cannot be reset, only closed.
          pooled.usable = false;
          reject(refused);
        } else if (err) reject(err);
        else {
          if (dataStarted !== undefined) dataPhase.record(performance.now() - dataStarted);
          resolve(resultOf(info));
        }
      },
    );
  });
}

/** The per-recipient replies nodemailer kept: each refused address with its reply code. */
function resultOf(info: SMTPConnection.SentMessageInfo | undefined): SmtpResult {
  const errors = info?.rejectedErrors ?? [];
  const rejected = (info?.rejected ?? []).map((address) => ({
    address,
    replyCode: errors.find((error) => error.recipient === address)?.responseCode ?? 550,
  }));
  return { accepted: [...(info?.accepted ?? [])], rejected };
}

/** Whether a connection may carry another transaction: still open, and its replies in step with its commands. */
function reusable(pooled: Pooled): boolean {
  return pooled.usable && pooled.audit.desync === undefined;
}

/** Back to the pool when the session is still good, otherwise out of it. */
function finish(pool: Pool<Pooled>, pooled: Pooled, sessionKept: boolean): void {
  if (!sessionKept || !reusable(pooled)) {
    pooled.usable = false;
    pooled.connection.close();
  }
  pool.release(pooled);
}

/** The server refused this mail with a reply code; but 421 closes the session. */
function keepsSession(err: unknown): boolean {
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code !== 421;
}

function isConnectionLost(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNECTION' || code === 'ESOCKET' || code === 'ETIMEDOUT';
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('SMTP transaction aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'EABORT',
  });
}
