/**
 * The port to SMTP. Production delivers over pooled SMTP connections (smtp-pool.ts); local runs without
 * SMTP_URL write each mail as an .eml file to the outbox. Both use the same composed bytes.
 *
 * A send is never abandoned half-way. Its deadline (SMTP_SEND_TIMEOUT_SECONDS) and the request's signal
 * abort it by closing its connection. Until the whole message has been read into DATA, the final `.`
 * cannot have been written, so the server discards the transaction: no mail, and the answer says so. After that, and before the server's reply (RFC 1047's window), the
 * outcome is unknown: 502 `email.send.unknown`, logged with the Message-ID for reconciliation.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { isAppError } from '../../../shared/errors';
import { maskAddress, type Logger } from '../../../shared/logging';
import {
  BreakerRefusedError,
  createBreaker,
  retryAfterSeconds,
  type BreakerObserver,
} from '../../../shared/resilience';
import type { DkimConfig } from './dkim';
import { emailError, OutcomeUnknownError } from '../errors';
import { createOneClickLinks, type OneClickConfig } from '../../../shared/unsubscribe';
import { createVerp, type VerpConfig } from '../../../shared/verp';
import { createComposer, type Compose, type Composed, type OutgoingMail } from './message';
import type { SendMailConfig } from '../settings';
import { DataAdmissionError, type RejectedRecipient, type SmtpPool, type SmtpPoolConfig } from './pool';
import { SmtpDesyncError } from './replies';

export type { OutgoingMail } from './message';
export type { RejectedRecipient } from './pool';

export interface Delivered {
  readonly messageId: string;
  /** Only when the server refused some recipients and took the mail for the others: who got it and who not. */
  readonly partial?: { readonly accepted: readonly string[]; readonly rejected: readonly RejectedRecipient[] };
}

export interface Delivery {
  /**
   * Resolves once the server accepted the mail; `signal` stops the send (the request's deadline, client,
   * drain). `deadlineAt` (performance.now()'s clock) is when the request's budget ends: the message enters
   * DATA only if its phase fits before it and before the send's own deadline (503 email.send.unavailable
   * otherwise, nothing sent).
   */
  send(mail: OutgoingMail, signal?: AbortSignal, deadlineAt?: number): Promise<Delivered>;
  /** Composes (and signs) the mail as `send` would, and sends nothing: a sandbox request. */
  build(mail: OutgoingMail): Promise<Delivered>;
  close(): Promise<void>;
}

type DeliveryConfig = SmtpPoolConfig &
  Pick<SendMailConfig, 'SMTP_SEND_TIMEOUT_SECONDS' | 'SMTP_BREAKER_RESET_SECONDS' | 'MAIL_FROM' | 'OUTBOX_DIR'> &
  DkimConfig &
  VerpConfig &
  OneClickConfig;

/** One send handed to the breaker, and how far it got. */
interface Attempt {
  readonly composed: Composed;
  readonly signal: AbortSignal;
  /** When it must be over, on performance.now()'s clock. */
  readonly deadline: number;
  /** Set once the whole message was read into DATA: from then on the final `.` may be on the wire. */
  messageRead: boolean;
}

/** Why a send was aborted by its own deadline (as opposed to the request's signal). */
class SendDeadlineError extends Error {
  readonly code = 'ESENDDEADLINE';
}

/** `pool`: the open SMTP pool (pool.ts's openSmtpPool); undefined without SMTP_URL, locally: the outbox. */
export function createDelivery(
  config: DeliveryConfig,
  logger: Logger,
  breakers: BreakerObserver,
  pool: SmtpPool | undefined,
): Delivery {
  return pool === undefined ? createOutboxDelivery(config) : createSmtpDelivery(config, pool, logger, breakers);
}

function createSmtpDelivery(
  config: DeliveryConfig,
  pool: SmtpPool,
  logger: Logger,
  breakers: BreakerObserver,
): Delivery {
  const breaker = createBreaker(
    'smtp',
    (attempt: Attempt) =>
      pool.send({
        envelope: attempt.composed.envelope,
        message: attempt.composed.message,
        signal: attempt.signal,
        deadline: attempt.deadline,
        onMessageRead: () => (attempt.messageRead = true),
      }),
    {
      // No breaker timeout: it would give up on a send that goes on. The send's own deadline aborts it,
      // and a window of several deadlines lets the breaker see a slow server at any request rate.
      timeoutMs: false,
      windowMs: 4 * config.SMTP_SEND_TIMEOUT_SECONDS * 1000,
      isTimeout: (err) => (err as { cause?: unknown }).cause instanceof SendDeadlineError,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: config.SMTP_BREAKER_RESET_SECONDS * 1000,
      capacity: config.SMTP_POOL_SIZE * 20,
      // A bad address, a caller that went away, or a send refused for our own lack of time says nothing about
      // the server's health.
      isPermanent: (err) => isRecipientRejected(err) || isCallerAbort(err) || err instanceof DataAdmissionError,
    },
    logger,
    breakers,
  );
  const deadlineMs = config.SMTP_SEND_TIMEOUT_SECONDS * 1000;
  const compose = createComposer(config.MAIL_FROM, config, createVerp(config), createOneClickLinks(config));
  return {
    async send(mail, signal, deadlineAt) {
      const composed = await compose(mail);
      // A request whose client or deadline is already gone sends nothing.
      signal?.throwIfAborted();
      const mustEndAt = Math.min(performance.now() + deadlineMs, deadlineAt ?? Number.POSITIVE_INFINITY);
      const controller = new AbortController();
      const deadline = setTimeout(
        () => controller.abort(new SendDeadlineError('SMTP send deadline passed')),
        deadlineMs,
      );
      const onAbort = (): void => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const attempt: Attempt = { composed, signal: controller.signal, deadline: mustEndAt, messageRead: false };
      try {
        const { rejected, accepted } = await breaker.fire(attempt);
        return rejected.length === 0
          ? { messageId: composed.messageId }
          : { messageId: composed.messageId, partial: { accepted, rejected } };
      } catch (err) {
        throw toDeliveryError(err, attempt, mail, logger);
      } finally {
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
      }
    },
    build: (mail) => built(compose, mail),
    async close() {
      breaker.shutdown();
      await pool.close();
    },
  };
}

/**
 * What a failed send means for the caller. Once the whole message was written and no reply came, nobody
 * knows whether the server took it: that is the one answer that may hide a delivered mail.
 */
function toDeliveryError(err: unknown, attempt: Attempt, mail: OutgoingMail, logger: Logger): unknown {
  if (err instanceof DataAdmissionError) {
    // Too late to go through DATA in time: a clean refusal now instead of an unknown outcome after the dot.
    return emailError('email.send.unavailable', { headers: { 'Retry-After': '1' }, cause: err });
  }
  if (err instanceof BreakerRefusedError) {
    return emailError('email.send.unavailable', {
      headers: { 'Retry-After': retryAfterSeconds(err.retryAfterMs) },
      cause: err,
    });
  }
  if (err instanceof SmtpDesyncError) {
    logger.warn(
      {
        event: { action: 'deliver', code: 'smtp.desync' },
        email: { message_id: attempt.composed.messageId },
        error: { type: err.code },
      },
      'SMTP replies out of step with their commands: connection destroyed',
    );
  }
  if (attempt.messageRead && !hasReply(err)) {
    logger.error(
      {
        event: { action: 'deliver', outcome: 'unknown', code: 'email.send.unknown' },
        email: { message_id: attempt.composed.messageId, to: { address: maskAddress(mail.to) } },
        error: { type: errorType(err) },
      },
      'mail outcome unknown',
    );
    return new OutcomeUnknownError(attempt.composed.messageId, { cause: err });
  }
  // Nothing left: the request's own reason (deadline, draining, client gone) is the truthful answer.
  const reason: unknown = attempt.signal.aborted ? attempt.signal.reason : undefined;
  if (isAppError(reason)) return reason;
  if (isRecipientRejected(err)) return emailError('email.recipient.rejected', { cause: err });
  return emailError('email.send.error', { cause: err });
}

function createOutboxDelivery(config: DeliveryConfig): Delivery {
  const compose = createComposer(config.MAIL_FROM, config, createVerp(config), createOneClickLinks(config));
  return {
    async send(mail) {
      const composed = await compose(mail);
      await mkdir(config.OUTBOX_DIR, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.traceId}.eml`;
      const path = join(config.OUTBOX_DIR, name);
      const { message } = composed;
      if ('bytes' in message) await writeFile(path, message.bytes);
      else await pipeline(message.stream(), createWriteStream(path));
      return { messageId: composed.messageId };
    },
    build: (mail) => built(compose, mail),
    close: () => Promise.resolve(),
  };
}

/** A sandbox request: the message made (and signed) to its last byte, as a send would, and dropped. */
async function built(compose: Compose, mail: OutgoingMail): Promise<Delivered> {
  const { message, messageId } = await compose(mail);
  if ('stream' in message)
    await pipeline(message.stream(), new Writable({ write: (_chunk, _encoding, done) => done() }));
  return { messageId };
}

/** The server answered (a reply code), so it did not take the message. */
function hasReply(err: unknown): boolean {
  return typeof (err as { responseCode?: unknown }).responseCode === 'number';
}

/** Aborted for the caller's reasons (client gone, draining), not because the server was slow. */
function isCallerAbort(err: unknown): boolean {
  const cause = (err as { cause?: unknown }).cause;
  return (err as { code?: string }).code === 'EABORT' && isAppError(cause) && cause.code !== 'http.request.timeout';
}

function errorType(err: unknown): string {
  return (err as { code?: string }).code ?? (err as Error).name ?? 'Error';
}

/** A permanent (5xx) refusal of RCPT TO: the address is bad, retrying will not help. */
function isRecipientRejected(err: unknown): boolean {
  const smtp = err as { code?: string; command?: string; responseCode?: number };
  return smtp.code === 'EENVELOPE' && smtp.command === 'RCPT TO' && (smtp.responseCode ?? 0) >= 500;
}
