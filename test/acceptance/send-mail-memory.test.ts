/**
 * Issue 30, a memory bound per instance: containerConcurrency requests of the largest send at once
 * (MAX_ATTACHMENT_BYTES of attachment), against the production bundle in a memory cgroup of send-mail's
 * production limit, with the image's allocator and the overlay's NODE_OPTIONS. The in-flight body budget
 * (MAX_INFLIGHT_BODY_BYTES) must turn what does not fit into 503 server.busy before reading it: every
 * answer is 200 or 503 server.busy, the process never dies, and the ledger holds.
 */
import { randomBytes } from 'node:crypto';
import { imageAllocatorEnv } from '../support/image';
import { memoryCgroup, podSettings, quantityBytes } from '../support/pod';
import { authorization, runScenario, useHealthyPeers } from '../support/faults/scenario';
import { sendTracked } from '../support/faults/traffic';
import type { LedgerRequest } from '../support/faults/ledger';

jest.setTimeout(240_000);

const peers = useHealthyPeers();
const POD = podSettings('knative/overlays/production', 'send-mail');
/** The default MAX_ATTACHMENT_BYTES: each request carries the most a send may. */
const ATTACHMENT_BYTES = 10 * 1024 * 1024;

describe('when containerConcurrency requests of the largest send arrive at once, under the pod memory limit', () => {
  it('then every answer is 200 or 503 server.busy, the process stays up, and the ledger holds', async () => {
    const cgroup = memoryCgroup(quantityBytes(POD.memoryLimit));
    if (cgroup instanceof Error) throw cgroup;
    const concurrency = POD.containerConcurrency;
    if (concurrency === undefined) throw new Error('send-mail has no containerConcurrency in the production overlay');
    const content = Buffer.from(randomBytes(ATTACHMENT_BYTES).toString('base64'), 'latin1');
    let requests: LedgerRequest[] = [];
    let alive = false;
    let peak = Number.POSITIVE_INFINITY;
    try {
      const ledger = await runScenario(
        peers.scenarioPeers(),
        {
          ...imageAllocatorEnv(),
          ...(POD.nodeOptions === undefined ? {} : { NODE_OPTIONS: POD.nodeOptions }),
          REQUEST_TIMEOUT_SECONDS: '30',
          SMTP_SEND_TIMEOUT_SECONDS: '20',
        },
        async ({ fn, ledger: running }) => {
          const auth = await authorization();
          requests = await Promise.all(
            Array.from({ length: concurrency }, (_, n) =>
              sendTracked(running, fn.url, auth, `large-${n}@mailinator.com`, { attachmentBase64: content }),
            ),
          );
          alive = (await fetch(`${fn.url}/livez`)).status === 200;
          peak = cgroup.peakBytes();
          expect(await Promise.race([fn.exited, Promise.resolve('running')])).toBe('running');
        },
        { quietMs: 2000, maxMs: 60_000 },
        (command) => cgroup.wrap(command),
      );

      expect(ledger.report()).toBe('');
      expect(alive).toBe(true);
      const answers = requests.map((request) =>
        request.answer ? `${request.answer.status} ${request.answer.code ?? ''}`.trim() : `none ${request.noAnswer}`,
      );
      expect(answers.filter((answer) => answer !== '200' && answer !== '503 server.busy')).toEqual([]);
      expect(answers.filter((answer) => answer === '200').length).toBeGreaterThan(0);
      // The kernel kills at the limit; below it with room to spare is what the budget is for.
      expect(peak).toBeLessThan(quantityBytes(POD.memoryLimit));
    } finally {
      cgroup.remove();
    }
  });
});
