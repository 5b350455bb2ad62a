/**
 * A small SMTP server that misbehaves on cue: during DATA it drops the connection after part of the
 * message, or takes the whole message and never answers the final dot (RFC 1047's window); or it breaks
 * the reply stream, as broken middleboxes do: a duplicated reply to RCPT TO (`duplicate-reply`), or one
 * extra line after the final dot's reply (`extra-line`). A mail whose dot arrived counts as received: the
 * server may well have delivered it, and the ledger must allow that.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { ReceivedMail } from '../smtp-server';

export type DataFault = 'accept' | 'drop-mid-data' | 'no-reply-after-data' | 'duplicate-reply' | 'extra-line';

export interface ScriptedSmtpServer {
  readonly url: string;
  /** Mails whose final dot arrived (accepted, or left without a reply). */
  readonly mails: ReceivedMail[];
  /** What DATA does for a recipient; replaceable while running. */
  faultFor: (recipient: string) => DataFault;
  /** Connections dropped before the final dot arrived. */
  droppedMidData(): number;
  /** Final dots that got no reply. */
  unanswered(): number;
  /** Reply lines sent that answered no command (duplicates and extra lines). */
  strayReplies(): number;
  stop(): Promise<void>;
}

export async function startScriptedSmtp(faultFor: (recipient: string) => DataFault): Promise<ScriptedSmtpServer> {
  const mails: ReceivedMail[] = [];
  const sockets = new Set<Socket>();
  const state = { faultFor, dropped: 0, unanswered: 0, stray: 0 };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    serve(socket, state, mails);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    get faultFor() {
      return state.faultFor;
    },
    set faultFor(next: (recipient: string) => DataFault) {
      state.faultFor = next;
    },
    droppedMidData: () => state.dropped,
    unanswered: () => state.unanswered,
    strayReplies: () => state.stray,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface ServerState {
  faultFor: (recipient: string) => DataFault;
  dropped: number;
  unanswered: number;
  stray: number;
}

function serve(socket: Socket, state: ServerState, mails: ReceivedMail[]): void {
  let buffer = '';
  let from = '';
  let to: string[] = [];
  let data: string | undefined;
  let fault: DataFault = 'accept';
  const reply = (line: string): void => {
    if (!socket.destroyed) socket.write(`${line}\r\n`);
  };
  reply('220 faults.test ESMTP');
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    if (data !== undefined) return onData();
    let end: number;
    while (data === undefined && (end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      onCommand(line);
    }
    if (data !== undefined && buffer !== '') onData();
  });

  function onCommand(line: string): void {
    const verb = line.slice(0, 4).toUpperCase();
    if (verb === 'EHLO') return reply('250-faults.test\r\n250-8BITMIME\r\n250 SMTPUTF8');
    if (verb === 'HELO' || verb === 'NOOP') return reply('250 ok');
    if (verb === 'RSET') {
      from = '';
      to = [];
      return reply('250 ok');
    }
    if (verb === 'MAIL') {
      from = address(line);
      return reply('250 ok');
    }
    if (verb === 'RCPT') {
      const recipient = address(line);
      to.push(recipient);
      reply('250 ok');
      if (state.faultFor(recipient) === 'duplicate-reply') {
        state.stray += 1;
        reply('250 ok');
      }
      return;
    }
    if (verb === 'DATA') {
      fault = state.faultFor(to[0] ?? '');
      data = '';
      return reply('354 go ahead');
    }
    if (verb === 'QUIT') {
      reply('221 bye');
      socket.end();
      return;
    }
    reply('502 not implemented');
  }

  function onData(): void {
    data = (data ?? '') + buffer;
    buffer = '';
    const end = data.indexOf('\r\n.\r\n');
    if (fault === 'drop-mid-data' && end < 0) {
      state.dropped += 1;
      socket.destroy();
      return;
    }
    if (end < 0) return;
    const raw = data.slice(0, end + 2);
    buffer = data.slice(end + 5);
    data = undefined;
    if (fault === 'drop-mid-data') {
      // The whole message came in one chunk: drop before taking it, which is still before any reply.
      state.dropped += 1;
      socket.destroy();
      return;
    }
    mails.push({ from, to: [...to], raw: raw.replace(/^\.\./gm, '.') });
    from = '';
    to = [];
    if (fault === 'no-reply-after-data') {
      state.unanswered += 1;
      return;
    }
    reply('250 queued');
    if (fault === 'extra-line') {
      state.stray += 1;
      reply('250 queued');
    }
  }
}

function address(line: string): string {
  return /<([^>]*)>/.exec(line)?.[1] ?? '';
}
