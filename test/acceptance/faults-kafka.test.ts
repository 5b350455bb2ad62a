/**
 * Fault suite, finding 5 (Kafka timeouts): the broker taken down, or frozen in place (SIGSTOP: sockets
 * open, nothing answers) and then back, while clients keep sending. Mail goes on; every delivered mail
 * must end with exactly one event id on the topic or one dead-letter line, a dead letter marked
 * `failure` must never land, and duplicates on the topic may only repeat the same id.
 */
import { freeze, runScenario, thaw, useHealthyPeers, type Scenario } from '../support/faults/scenario';
import { startClients } from '../support/faults/traffic';

jest.setTimeout(60_000);

const peers = useHealthyPeers();

beforeEach(() => peers.smtp.reset());

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Four clients send throughout: before the fault, during it (`faultMs`), and after the broker is back. */
async function loadAcross(
  scenario: Scenario,
  fault: () => Promise<void>,
  back: () => Promise<void>,
  faultMs: number,
): Promise<void> {
  const clients = startClients(4, (client, n) => scenario.send(`kafka-${client}-${n}@mailinator.com`));
  try {
    await pause(1000);
    await fault();
    await pause(faultMs);
  } finally {
    await back();
  }
  await pause(2000);
  await clients.stop();
}

describe('finding 5: Kafka timeouts', () => {
  it('when the Kafka broker is down for 4 s and then back, then each delivered mail has exactly one event id on the topic or one dead-letter line', async () => {
    const ledger = await runScenario(peers.scenarioPeers(), {}, (scenario) =>
      loadAcross(
        scenario,
        () => peers.kafka.brokerDown(1),
        () => peers.kafka.brokerUp(1),
        4000,
      ),
    );

    expect(ledger.report()).toBe('');
    expect(ledger.requests.every((request) => request.answer?.status === 200)).toBe(true);
  });

  it('when the Kafka broker is frozen (SIGSTOP) for 4 s and then thawed, then each delivered mail has exactly one event id on the topic or one dead-letter line, and no refused dead letter lands', async () => {
    const ledger = await runScenario(
      peers.scenarioPeers(),
      {},
      (scenario) =>
        loadAcross(
          scenario,
          () => Promise.resolve(freeze(peers.kafka)),
          () => Promise.resolve(thaw(peers.kafka)),
          4000,
        ),
      // Sends held by the frozen broker may land well after it thaws.
      { quietMs: 3000, maxMs: 30_000 },
    );

    expect(ledger.report()).toBe('');
    expect(ledger.requests.every((request) => request.answer?.status === 200)).toBe(true);
  });
});
