/**
 * The port to SMTP. Production delivers through a pooled nodemailer transport with short timeouts; local
 * runs without SMTP_URL write each mail as an .eml file to the outbox. Both build the same message.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { Config } from '../../shared/config';
import type { Logger } from '../../shared/logging';
import { ignoreBreakers, type BreakerObserver } from '../../shared/metrics';
import { BreakerRefusedError, createBreaker, retryAfterSeconds } from '../../shared/resilience';
import { emailError } from './errors';

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly traceId: string;
}

export interface Delivered {
  readonly messageId: string;
}

export interface Delivery {
  send(mail: OutgoingMail): Promise<Delivered>;
  close(): Promise<void>;
}

type DeliveryConfig = Pick<
  Config,
  | 'SMTP_URL'
  | 'SMTP_POOL_SIZE'
  | 'SMTP_CONNECTION_TIMEOUT_SECONDS'
  | 'SMTP_GREETING_TIMEOUT_SECONDS'
  | 'SMTP_SOCKET_TIMEOUT_SECONDS'
  | 'SMTP_REQUIRE_TLS'
  | 'SMTP_SEND_TIMEOUT_SECONDS'
  | 'SMTP_BREAKER_RESET_SECONDS'
  | 'MAIL_FROM'
  | 'OUTBOX_DIR'
>;

export function createDelivery(config: DeliveryConfig, logger: Logger, breakers: BreakerObserver = ignoreBreakers): Delivery {
  return config.SMTP_URL === undefined ? createOutboxDelivery(config) : createSmtpDelivery(config, config.SMTP_URL, logger, breakers);
}

function createSmtpDelivery(config: DeliveryConfig, url: string, logger: Logger, breakers: BreakerObserver): Delivery {
  const transport = nodemailer.createTransport({
    pool: true,
    url,
    maxConnections: config.SMTP_POOL_SIZE,
    connectionTimeout: config.SMTP_CONNECTION_TIMEOUT_SECONDS * 1000,
    greetingTimeout: config.SMTP_GREETING_TIMEOUT_SECONDS * 1000,
    socketTimeout: config.SMTP_SOCKET_TIMEOUT_SECONDS * 1000,
    requireTLS: config.SMTP_REQUIRE_TLS,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const breaker = createBreaker('smtp', (options: SendMailOptions) => transport.sendMail(options), {
    timeoutMs: config.SMTP_SEND_TIMEOUT_SECONDS * 1000,
    errorThresholdPercentage: 50,
    volumeThreshold: 3,
    resetTimeoutMs: config.SMTP_BREAKER_RESET_SECONDS * 1000,
    capacity: config.SMTP_POOL_SIZE * 20,
    // A bad address says nothing about the server's health.
    isPermanent: isRecipientRejected,
  }, logger, breakers);
  return {
    async send(mail) {
      try {
        const info = await breaker.fire(message(mail, config.MAIL_FROM));
        return { messageId: info.messageId };
      } catch (err) {
        if (err instanceof BreakerRefusedError) {
          throw emailError('email.send.unavailable', { headers: { 'Retry-After': retryAfterSeconds(err.retryAfterMs) }, cause: err });
        }
        throw isRecipientRejected(err) ? emailError('email.recipient.rejected', { cause: err }) : emailError('email.send.error', { cause: err });
      }
    },
    async close() {
      breaker.shutdown();
      transport.close();
    },
  };
}

function createOutboxDelivery(config: DeliveryConfig): Delivery {
  const transport: Transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    async send(mail) {
      const info = await transport.sendMail(message(mail, config.MAIL_FROM));
      await mkdir(config.OUTBOX_DIR, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.traceId}.eml`;
      await writeFile(join(config.OUTBOX_DIR, name), info.message as Buffer);
      return { messageId: info.messageId };
    },
    async close() {
      transport.close();
    },
  };
}

/** The one message shape: fixed From, explicit envelope, no attachments or remote content. */
function message(mail: OutgoingMail, from: string): SendMailOptions {
  return {
    from,
    to: mail.to,
    envelope: { from, to: [mail.to] },
    subject: mail.subject,
    text: mail.text,
    headers: { 'X-B3-TraceId': mail.traceId },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** A permanent (5xx) refusal of RCPT TO: the address is bad, retrying will not help. */
function isRecipientRejected(err: unknown): boolean {
  const smtp = err as { code?: string; command?: string; responseCode?: number };
  return smtp.code === 'EENVELOPE' && smtp.command === 'RCPT TO' && (smtp.responseCode ?? 0) >= 500;
}
