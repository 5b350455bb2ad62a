/**
 * Fault suite, finding 2 (SIGTERM under load): 50 keep-alive clients keep sending while the bundle gets
 * SIGTERM, and go on until it has exited. It must exit 0 within SHUTDOWN_TIMEOUT_SECONDS; every answer
 * must agree with the ledger; a request whose answer never came (socket closed, connection refused)
 * must have sent no mail; every delivered mail must have its event or its dead-letter line on stdout.
 */
import { Agent } from 'node:http';
import { FAULT_TIMEOUTS, runScenario, useHealthyPeers } from '../support/faults/scenario';
import { startClients } from '../support/faults/traffic';
import { eventually, within } from '../support/eventually';

jest.setTimeout(60_000);

const peers = useHealthyPeers();

describe('finding 2: SIGTERM under load', () => {
  it('when SIGTERM arrives while 50 keep-alive clients keep sending, then it exits 0 within the drain deadline, no request without an answer sent a mail, and every delivered mail has its event or dead letter', async () => {
    const shutdownMs = Number(FAULT_TIMEOUTS.SHUTDOWN_TIMEOUT_SECONDS) * 1000;
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    let exit: number | string = 'still running';
    let drainMs = Infinity;
    try {
      const ledger = await runScenario(peers.scenarioPeers(), { SMTP_POOL_SIZE: '10' }, async ({ fn, send }) => {
        // Each mail takes 300 ms at the server, so requests are always in flight, some mid-delivery.
        peers.smtp.dataDelayMs = 300;
        const clients = startClients(50, (client, n) => send(`drain-${client}-${n}@mailinator.com`, { agent }));
        await eventually(
          () => peers.smtp.mails.length,
          (count) => count >= 50,
          { what: '50 mails delivered', timeoutMs: 30_000 },
        );
        const signalled = Date.now();
        fn.child.kill('SIGTERM');
        exit = await within(fn.exited, shutdownMs + 2000, 'not exited within the drain deadline + 2 s');
        drainMs = Date.now() - signalled;
        await clients.stop();
      });

      expect(ledger.report()).toBe('');
      expect(exit).toBe(0);
      expect(drainMs).toBeLessThanOrEqual(shutdownMs + 500);
      expect(ledger.requests.filter((request) => request.answer?.status === 200).length).toBeGreaterThan(0);
    } finally {
      agent.destroy();
      peers.smtp.reset();
    }
  });
});
