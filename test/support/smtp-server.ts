/**
 * A real SMTP server (smtp-server) on loopback for acceptance tests. It records every mail it accepts
 * and every RCPT TO it sees, and can refuse recipients permanently (550) or temporarily (451).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
}

export interface TestSmtpServer {
  readonly url: string;
  readonly port: number;
  readonly mails: ReceivedMail[];
  readonly recipientsSeen: string[];
  /** How many SMTP sessions were opened. */
  connections(): number;
  /** Addresses answered with 550 on RCPT TO. */
  readonly rejectPermanently: Set<string>;
  /** Addresses answered with 451 on RCPT TO. */
  readonly rejectTemporarily: Set<string>;
  /** How long the server takes to accept each mail's data; lets tests hold requests in flight. */
  dataDelayMs: number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const recipientsSeen: string[] = [];
  const rejectPermanently = new Set<string>();
  const rejectTemporarily = new Set<string>();
  let connections = 0;
  const state = { dataDelayMs: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      recipientsSeen.push(address.address);
      if (rejectPermanently.has(address.address)) return callback(smtpError('mailbox unavailable', 550));
      if (rejectTemporarily.has(address.address)) return callback(smtpError('try again later', 451));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        setTimeout(() => accept(), state.dataDelayMs);
      });
      const accept = (): void => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      };
    },
  });
  // Clients that reset their connection (a function stopped mid-session) must not crash the test process.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server.server as unknown as { address(): AddressInfo }).address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    mails,
    recipientsSeen,
    connections: () => connections,
    rejectPermanently,
    rejectTemporarily,
    get dataDelayMs() {
      return state.dataDelayMs;
    },
    set dataDelayMs(ms: number) {
      state.dataDelayMs = ms;
    },
    reset() {
      state.dataDelayMs = 0;
      mails.length = 0;
      recipientsSeen.length = 0;
      rejectPermanently.clear();
      rejectTemporarily.clear();
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** A TCP server that accepts connections and never says a word: an SMTP peer that hangs. */
export async function startSilentServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
