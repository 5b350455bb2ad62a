/**
 * Issue 30, the batch's fault paths against the production bundle, each with the ledger counting items:
 * every item answered `sent` has exactly one mail at the SMTP server and one event (or dead letter); an
 * item answered `failed` or `not_attempted` sent nothing; an `unknown` item has its "mail outcome unknown"
 * line and its held event. The batch's one answer must still come, truthful per item.
 */
import { UNKNOWN_CODE } from '../support/faults/ledger';
import { authorization, runScenario, useHealthyPeers } from '../support/faults/scenario';
import { startScriptedSmtp, type DataFault } from '../support/faults/scripted-smtp';
import { sendBatchTracked, type TrackedBatch } from '../support/faults/traffic';
import { eventually, within } from '../support/eventually';

jest.setTimeout(90_000);

const peers = useHealthyPeers();
const recipients = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, n) => `${prefix}-${n}@mailinator.com`);
const statusesOf = (batch: TrackedBatch): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of batch.items) {
    const status = item.answer?.item ?? 'no answer';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
};

describe('when the SMTP server goes silent mid-batch', () => {
  it('then the mails before are sent, the ones whose final dot got no reply are unknown, the rest failed or not attempted, and the ledger holds per item', async () => {
    // The server answers the first 20 mails' final dots, then none: items start in order, 5 at a time.
    const scripted = await startScriptedSmtp((recipient): DataFault =>
      Number(/-(\d+)@/.exec(recipient)?.[1]) < 20 ? 'accept' : 'no-reply-after-data',
    );
    let batch: TrackedBatch | undefined;
    try {
      const ledger = await runScenario(
        { smtpUrl: scripted.url, mails: () => scripted.mails, kafka: peers.kafka },
        { SMTP_POOL_SIZE: '5' },
        async ({ fn, ledger: running }) => {
          batch = await sendBatchTracked(running, fn.url, await authorization(), recipients('silent', 60));
        },
      );

      expect(ledger.report()).toBe('');
      const statuses = statusesOf(batch as TrackedBatch);
      expect(batch?.status).toBe(200);
      expect({ statuses, summary: ledger.summary() }).toMatchObject({ statuses: { sent: 20 } });
      expect(statuses.unknown).toBeGreaterThan(0);
      expect(statuses['no answer']).toBeUndefined();
      expect(Object.values(statuses).reduce((sum, count) => sum + count, 0)).toBe(60);
      expect(scripted.unanswered()).toBe(statuses.unknown);
      for (const item of batch?.items ?? [])
        if (item.answer?.item === 'unknown') expect(item.answer.code).toBe(UNKNOWN_CODE);
    } finally {
      await scripted.stop();
    }
  });
});

describe('when SIGTERM arrives mid-batch', () => {
  it('then the batch is still answered 200 before the process exits 0, items not started are not_attempted, and the ledger holds per item', async () => {
    const shutdownMs = 3000;
    let batch: TrackedBatch | undefined;
    let exit: number | string = 'still running';
    try {
      const ledger = await runScenario(
        peers.scenarioPeers(),
        { SMTP_POOL_SIZE: '5', REQUEST_TIMEOUT_SECONDS: '30', SHUTDOWN_TIMEOUT_SECONDS: String(shutdownMs / 1000) },
        async ({ fn, ledger: running }) => {
          // 200 ms per mail at the server, 5 at a time: the 100 mails would take 4 s, the drain allows 3 s.
          peers.smtp.dataDelayMs = 200;
          const answered = sendBatchTracked(running, fn.url, await authorization(), recipients('sigterm', 100));
          await eventually(
            () => peers.smtp.mails.length,
            (count) => count >= 10,
            { what: '10 mails of the batch delivered', timeoutMs: 20_000 },
          );
          fn.child.kill('SIGTERM');
          exit = await within(fn.exited, shutdownMs + 2000, 'not exited within the drain deadline + 2 s');
          batch = await answered;
        },
      );

      expect(ledger.report()).toBe('');
      expect(exit).toBe(0);
      expect(batch?.status).toBe(200);
      const statuses = statusesOf(batch as TrackedBatch);
      expect(statuses['no answer']).toBeUndefined();
      expect(statuses.sent).toBeGreaterThanOrEqual(10);
      expect(statuses.not_attempted).toBeGreaterThan(0);
      for (const item of batch?.items ?? [])
        if (item.answer?.item === 'not_attempted') expect(item.answer.code).toBe('http.server.draining');
    } finally {
      peers.smtp.reset();
    }
  });
});
