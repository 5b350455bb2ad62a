/**
 * A TCP proxy in front of a real SMTP server that holds back each server→client reply: a slow SMTP
 * server whose every wait can be placed on either side of a chosen timeout. Client→server bytes pass at
 * once, so the server accepts a mail when the final dot arrives, however late its reply then reaches us.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** How long to hold one reply; `index` counts the replies of a connection, 0 being the greeting. */
export type ReplyDelay = (index: number, reply: string) => number;

export interface DelayProxy {
  readonly url: string;
  /** Replaceable while running; applies to replies that arrive afterwards. */
  delay: ReplyDelay;
  /** Connections currently open. */
  open(): number;
  /** Whether a reply is being held back: some conversation is still going on. */
  busy(): boolean;
  stop(): Promise<void>;
}

/** Every reply after `ms`. */
export const everyReply =
  (ms: number): ReplyDelay =>
  () =>
    ms;

/** The greeting at once, every later reply after `ms`. */
export const afterGreeting =
  (ms: number): ReplyDelay =>
  (index) =>
    index === 0 ? 0 : ms;

export async function startDelayProxy(upstreamPort: number, delay: ReplyDelay): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const state = { delay };
  let clients = 0;
  let held = 0;
  const server = createServer((client) => {
    clients += 1;
    client.once('close', () => (clients -= 1));
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let pending = '';
    let index = 0;
    // Replies leave in order: each one no earlier than the one before it.
    let releaseAt = 0;
    let upstreamEnded = false;
    let inFlight = 0;
    const finish = (): void => {
      if (upstreamEnded && inFlight === 0) client.end();
    };
    upstream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let end: number;
      let reply = '';
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end + 2);
        pending = pending.slice(end + 2);
        reply += line;
        // "250-…" continues a multi-line reply, "250 …" ends it.
        if (line.charAt(3) === '-') continue;
        const due = Math.max(Date.now() + state.delay(index, reply), releaseAt);
        releaseAt = due;
        index += 1;
        inFlight += 1;
        held += 1;
        const bytes = Buffer.from(reply, 'latin1');
        reply = '';
        setTimeout(
          () => {
            inFlight -= 1;
            held -= 1;
            if (!client.destroyed) client.write(bytes);
            finish();
            // Never negative: Node 24 warns (TimeoutNegativeWarning) when the due time has just passed.
          },
          Math.max(0, due - Date.now()),
        );
      }
      pending = reply + pending;
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('end', () => {
      upstreamEnded = true;
      finish();
    });
    client.on('end', () => upstream.end());
    const close = (socket: Socket) => () => {
      sockets.delete(socket);
      if (socket === client) upstream.destroy();
    };
    client.on('close', close(client));
    upstream.on('close', close(upstream));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    get delay() {
      return state.delay;
    },
    set delay(next: ReplyDelay) {
      state.delay = next;
    },
    open: () => clients,
    busy: () => held > 0,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
