import { Readable } from 'node:stream';
import { createSmtpPool, type SmtpPool, type SmtpTransaction } from '../../../../../functions/send-mail/smtp/pool';
import { eventually } from '../../../../support/eventually';
import { startSilentServer, startSmtpServer } from '../../../../support/smtp-server';

function poolFor(url: string): SmtpPool {
  return createSmtpPool({
    url,
    size: 2,
    connectionTimeoutMs: 30_000,
    greetingTimeoutMs: 30_000,
    socketTimeoutMs: 30_000,
    requireTls: false,
  });
}

describe('createSmtpPool', () => {
  it('when the pool is created, then it opens one session before any mail is sent', async () => {
    const server = await startSmtpServer();
    const pool = poolFor(server.url);
    try {
      await eventually(
        () => server.connections(),
        (count) => count === 1,
        { what: 'the session opened at start' },
      );
      expect(server.mails).toHaveLength(0);
    } finally {
      await pool.close();
      await server.stop();
    }
  });

  it('when the pool closes while its first session still waits for a greeting, then it closes without waiting out the timeouts', async () => {
    const server = await startSilentServer();
    const pool = poolFor(server.url);
    try {
      const started = Date.now();
      await pool.close();
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.stop();
    }
  });
});

describe('SmtpPool.send', () => {
  const MESSAGE = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n';
  const transaction = (message: SmtpTransaction['message']): SmtpTransaction => ({
    envelope: { from: 'a@example.com', to: ['b@example.com'] },
    message,
    signal: new AbortController().signal,
    onMessageRead: () => undefined,
  });

  it('when the message fails while it is being made mid-DATA, then the send rejects, no mail arrives (no final dot), and that connection is never used again', async () => {
    const server = await startSmtpServer();
    const pool = poolFor(server.url);
    try {
      const failing = (): Readable =>
        Readable.from(
          (async function* made() {
            yield Buffer.from(MESSAGE.slice(0, 40));
            await new Promise((resolve) => setTimeout(resolve, 20));
            throw new Error('the composer failed');
          })(),
          { objectMode: false },
        );

      await expect(pool.send(transaction({ stream: failing }))).rejects.toThrow('the composer failed');
      const next = await pool.send(transaction({ bytes: Buffer.from(MESSAGE) }));

      expect(next.accepted).toEqual(['b@example.com']);
      expect(server.mails).toHaveLength(1);
      expect(server.mails[0]?.raw).toContain('Subject: hi');
      // The failed connection was closed: the next mail went over a new session.
      expect(server.connections()).toBeGreaterThanOrEqual(2);
    } finally {
      await pool.close();
      await server.stop();
    }
  });

  it('when the message is a stream made as it is read, then the server receives it whole, once', async () => {
    const server = await startSmtpServer();
    const pool = poolFor(server.url);
    try {
      const chunks = [MESSAGE.slice(0, 10), MESSAGE.slice(10)].map((part) => Buffer.from(part));

      await pool.send(transaction({ stream: () => Readable.from(chunks, { objectMode: false }) }));

      expect(server.mails).toHaveLength(1);
      expect(server.mails[0]?.raw).toContain('body');
    } finally {
      await pool.close();
      await server.stop();
    }
  });
});
