/**
 * Issue 18 in the fault suite: the production bundle with EVENT_TRANSPORT=http and K_SINK pointing at a
 * real CloudEvents sink. The ledger's rule holds over HTTP: every delivered mail has exactly one event id at
 * the sink or one dead-letter line, through a sink outage and through SIGTERM with events in flight. And in
 * http mode the bundle never runs any of kafkajs (its V8 coverage, mapped through the source map, says so).
 */
import { mkdtemp } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEventReceiver, type EventReceiver } from '../support/event-receiver';
import { eventually, within } from '../support/eventually';
import { BUNDLE, FAULT_TIMEOUTS, runScenario, useHealthyPeers } from '../support/faults/scenario';
import { startClients } from '../support/faults/traffic';
import { loadedPackages } from '../support/loaded-packages';

jest.setTimeout(60_000);

const peers = useHealthyPeers();
let sink: EventReceiver;

beforeAll(async () => {
  sink = await startEventReceiver();
});

afterAll(async () => {
  await sink.stop();
});

beforeEach(() => {
  peers.smtp.reset();
  sink.reset();
  sink.answer(202);
  sink.delay(0);
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('issue 18: events over HTTP to K_SINK', () => {
  it('when the sink is down for 2 s under load and then back, then every 200 has exactly one event at the sink or one dead-letter line', async () => {
    const ledger = await runScenario({ ...peers.scenarioPeers(), sink }, {}, async (scenario) => {
      const clients = startClients(4, (client, n) => scenario.send(`sink-${client}-${n}@mailinator.com`));
      try {
        await pause(800);
        await sink.down();
        await pause(2000);
      } finally {
        await sink.up();
      }
      await pause(2000);
      await clients.stop();
    });

    expect(ledger.report()).toBe('');
    expect(ledger.requests.every((request) => request.answer?.status === 200)).toBe(true);
    expect(sink.stored().length).toBeGreaterThan(0);
  });

  it('when SIGTERM arrives with events in flight to the sink, then it exits 0 within the drain deadline, each delivered mail has its event or dead letter, and kafkajs never ran', async () => {
    const coverage = await mkdtemp(join(tmpdir(), 'sink-coverage-'));
    const shutdownMs = Number(FAULT_TIMEOUTS.SHUTDOWN_TIMEOUT_SECONDS) * 1000;
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    let exit: number | string = 'still running';
    try {
      const ledger = await runScenario(
        { ...peers.scenarioPeers(), sink },
        { NODE_V8_COVERAGE: coverage },
        async ({ fn, send }) => {
          // Each event waits 300 ms at the sink: some are always in flight when SIGTERM arrives.
          sink.delay(300);
          const clients = startClients(20, (client, n) => send(`sink-drain-${client}-${n}@mailinator.com`, { agent }));
          await eventually(
            () => sink.requestCount(),
            (count) => count >= 20,
            { what: '20 events at the sink', timeoutMs: 30_000 },
          );
          fn.child.kill('SIGTERM');
          exit = await within(fn.exited, shutdownMs + 2000, 'not exited within the drain deadline + 2 s');
          await clients.stop();
        },
      );

      expect(ledger.report()).toBe('');
      expect(exit).toBe(0);
      const packages = loadedPackages(coverage, BUNDLE);
      expect(packages).toContain('cloudevents');
      expect(packages).not.toContain('kafkajs');
    } finally {
      agent.destroy();
    }
  });

  it('when the same check runs on the bundle in kafka mode, then it does see kafkajs (the check can fail)', async () => {
    const coverage = await mkdtemp(join(tmpdir(), 'kafka-coverage-'));
    await runScenario(peers.scenarioPeers(), { NODE_V8_COVERAGE: coverage }, async ({ fn, send }) => {
      expect((await send('sink-kafka-control@mailinator.com')).answer?.status).toBe(200);
      fn.child.kill('SIGTERM');
      await fn.exited;
    });

    expect(loadedPackages(coverage, BUNDLE)).toContain('kafkajs');
  });
});
