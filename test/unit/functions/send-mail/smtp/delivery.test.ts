/**
 * The SMTP port against a real smtp-server that stalls where a test tells it to: every answer of the
 * delivery must say truthfully whether the server took the mail (finding 1 of "truthful delivery").
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createDelivery, type Delivery } from '../../../../../functions/send-mail/smtp/delivery';
import { openSmtpPool } from '../../../../../functions/send-mail/smtp/pool';
import { ignoreBreakers } from '../../../../../shared/resilience';
import { AppError, httpError } from '../../../../../shared/errors';
import { createLogger } from '../../../../../shared/logging';
import { createLogSink, type LogSink } from '../../../../support/log-sink';
import { eventually } from '../../../../support/eventually';

type Stall = 'none' | 'rcpt' | 'final-reply';

interface StallingServer {
  readonly url: string;
  stall: Stall;
  /** Milliseconds a stalled stage waits before it carries on (the mail is then accepted if it got that far). */
  stallMs: number;
  readonly accepted: string[];
  stop(): Promise<void>;
}

async function startStallingServer(): Promise<StallingServer> {
  const state: StallingServer = { url: '', stall: 'none', stallMs: 0, accepted: [], stop: () => Promise.resolve() };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (state.stall === 'rcpt') setTimeout(() => callback(), state.stallMs);
      else callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const accept = (): void => {
          state.accepted.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        };
        if (state.stall === 'final-reply') setTimeout(accept, state.stallMs);
        else accept();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server.server as unknown as { address(): AddressInfo }).address();
  return Object.assign(state, {
    url: `smtp://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const mail = {
  to: 'someone@example.com',
  subject: 'hello',
  text: 'a body',
  id: '6f1b2f0c-6a0e-4b8e-9d1c-3c3f2a1d5e7b',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  sampled: true,
};

let smtp: StallingServer;
let delivery: Delivery;
let logs: LogSink;

beforeAll(async () => {
  smtp = await startStallingServer();
});

afterAll(() => smtp.stop());

beforeEach(() => {
  smtp.stall = 'none';
  smtp.accepted.length = 0;
  logs = createLogSink();
  const config = {
    SMTP_URL: smtp.url,
    SMTP_POOL_SIZE: 2,
    SMTP_CONNECTION_TIMEOUT_SECONDS: 1,
    SMTP_GREETING_TIMEOUT_SECONDS: 1,
    SMTP_SOCKET_TIMEOUT_SECONDS: 5,
    SMTP_REQUIRE_TLS: false,
    SMTP_SEND_TIMEOUT_SECONDS: 1,
    SMTP_BREAKER_RESET_SECONDS: 10,
    MAIL_FROM: 'mailer@example.com',
    OUTBOX_DIR: '.outbox',
    BOUNCE_LOCAL_PART: 'bounces',
  };
  delivery = createDelivery(
    config,
    createLogger({
      service: 'send-mail',
      config: { LOG_FORMAT: 'ecs', LOG_LEVEL: 'info', ENVIRONMENT: 'local' },
      destination: logs.stream,
    }),
    ignoreBreakers,
    openSmtpPool(config),
  );
});

afterEach(() => delivery.close());

async function failure(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the send to fail');
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('when the server accepts the mail', () => {
  it('then the send resolves with the Message-ID the delivered mail carries', async () => {
    const { messageId } = await delivery.send(mail);

    expect(smtp.accepted).toHaveLength(1);
    expect(smtp.accepted[0]).toContain(`Message-ID: ${messageId}`);
  });
});

describe('when the send deadline passes before the message was written (finding 1: slow SMTP)', () => {
  it('then the answer is email.send.error and the server never accepts the mail, even after it resumes', async () => {
    smtp.stall = 'rcpt';
    smtp.stallMs = 1500;

    const error = await failure(delivery.send(mail));
    // Time is the subject: the server resumes after its 1.5 s stall and must still not take the mail.
    await settle(1000);

    expect(error.code).toBe('email.send.error');
    expect(smtp.accepted).toEqual([]);
  });
});

describe('when the whole message was written and the final reply does not come before the deadline', () => {
  it('then the answer is email.send.unknown, logged once with the Message-ID for reconciliation', async () => {
    smtp.stall = 'final-reply';
    smtp.stallMs = 1500;

    const error = await failure(delivery.send(mail));
    await eventually(
      () => smtp.accepted.length,
      (count) => count > 0,
      { what: 'the stalled server to accept the mail' },
    );

    expect(error.code).toBe('email.send.unknown');
    const unknown = logs.lines().filter((line) => line.message === 'mail outcome unknown');
    expect(unknown).toHaveLength(1);
    const messageId = (unknown[0]?.email as { message_id: string }).message_id;
    // The server did take it here: the log line is what reconciles the mail with the answer.
    expect(smtp.accepted).toHaveLength(1);
    expect(smtp.accepted[0]).toContain(`Message-ID: ${messageId}`);
    expect(logs.text()).not.toContain(mail.to);
  });
});

describe('when the request signal aborts while the server stalls before DATA', () => {
  it('then the request reason is the answer and no mail is accepted', async () => {
    smtp.stall = 'rcpt';
    smtp.stallMs = 800;
    const controller = new AbortController();
    const sending = failure(delivery.send(mail, controller.signal));
    await settle(200); // the abort is meant to land while the server stalls before DATA
    controller.abort(httpError('http.request.timeout'));

    const error = await sending;
    // Time is the subject: the server resumes after its stall and must still not take the mail.
    await settle(1000);

    expect(error.code).toBe('http.request.timeout');
    expect(smtp.accepted).toEqual([]);
  });
});

describe('when the request is already aborted before the send starts (client gone)', () => {
  it('then its reason is thrown and nothing is sent', async () => {
    const controller = new AbortController();
    controller.abort(new AppError('http.client.closed', 499));

    const error = await failure(delivery.send(mail, controller.signal));

    expect(error.code).toBe('http.client.closed');
    expect(smtp.accepted).toEqual([]);
  });
});

describe('when callers go away three times in a row', () => {
  it('then the breaker stays closed: a caller leaving says nothing about the server', async () => {
    smtp.stall = 'rcpt';
    smtp.stallMs = 300;
    for (let i = 0; i < 3; i += 1) {
      const controller = new AbortController();
      const sending = failure(delivery.send(mail, controller.signal));
      await settle(50); // the caller leaves mid-send
      controller.abort(new AppError('http.client.closed', 499));
      expect((await sending).code).toBe('http.client.closed');
    }
    smtp.stall = 'none';

    await expect(delivery.send(mail)).resolves.toHaveProperty('messageId');
  });
});
