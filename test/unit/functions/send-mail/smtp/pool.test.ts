import { createSmtpPool, type SmtpPool } from '../../../../../functions/send-mail/smtp/pool';
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
