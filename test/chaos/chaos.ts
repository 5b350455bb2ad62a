/**
 * `make chaos`: the fault suite's long variant. Rounds of random fault combinations (slow, silent or
 * misbehaving SMTP; Kafka down, frozen or slow; SIGTERM mid-load) against the production bundle, each
 * checked with the ledger. The plan of every round comes from a seeded PRNG; the seed is printed first,
 * and CHAOS_SEED replays the same plan (the timing of the machine itself is not replayed). CHAOS_SECONDS
 * bounds the run (default 300). Exits 1 at the first round whose ledger does not hold.
 */
import { Agent } from 'node:http';
import { afterGreeting, everyReply, startDelayProxy, type ReplyDelay } from '../support/faults/delay-proxy';
import { formatViolations } from '../support/faults/ledger';
import { startScriptedSmtp, type DataFault } from '../support/faults/scripted-smtp';
import { FAULT_TIMEOUTS, freeze, runScenario, thaw, type Scenario } from '../support/faults/scenario';
import { startClients } from '../support/faults/traffic';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { startSilentServer, startSmtpServer } from '../support/smtp-server';

const SEED = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const SECONDS = Number(process.env.CHAOS_SECONDS ?? '300');

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const random = prng(SEED);
const between = (min: number, max: number): number => Math.round(min + random() * (max - min));
const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)] as T;

type SmtpPlan =
  | { kind: 'healthy' }
  | { kind: 'slow'; replyMs: number; greetingToo: boolean }
  | { kind: 'slow-dot'; dotMs: number }
  | { kind: 'scripted'; fault: DataFault; share: number }
  | { kind: 'blackhole' };

type KafkaPlan =
  { kind: 'none' } | { kind: 'down' | 'freeze'; atMs: number; forMs: number } | { kind: 'rtt'; rttMs: number };

interface RoundPlan {
  readonly smtp: SmtpPlan;
  readonly kafka: KafkaPlan;
  readonly clients: number;
  readonly keepAlive: boolean;
  readonly loadMs: number;
  /** SIGTERM this long into the load, if at all. */
  readonly sigtermAtMs?: number;
}

function planRound(): RoundPlan {
  const smtp: SmtpPlan = pick<() => SmtpPlan>([
    () => ({ kind: 'healthy' }),
    () => ({ kind: 'slow', replyMs: between(100, 3000), greetingToo: random() < 0.5 }),
    () => ({ kind: 'slow-dot', dotMs: between(500, 3000) }),
    () => ({
      kind: 'scripted',
      fault: pick<DataFault>(['drop-mid-data', 'no-reply-after-data', 'duplicate-reply', 'extra-line']),
      share: between(10, 100) / 100,
    }),
    () => ({ kind: 'blackhole' }),
  ])();
  const loadMs = between(2000, 8000);
  const kafka: KafkaPlan = pick<() => KafkaPlan>([
    () => ({ kind: 'none' }),
    () => ({ kind: 'down', atMs: between(0, loadMs), forMs: between(300, 5000) }),
    () => ({ kind: 'freeze', atMs: between(0, loadMs), forMs: between(300, 5000) }),
    () => ({ kind: 'rtt', rttMs: between(50, 1500) }),
  ])();
  const sigterm = random() < 0.3;
  return {
    smtp,
    kafka,
    clients: between(1, 50),
    keepAlive: random() < 0.7,
    loadMs,
    ...(sigterm ? { sigtermAtMs: between(500, loadMs) } : {}),
  };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  process.stdout.write(`chaos: seed ${SEED} (replay with CHAOS_SEED=${SEED}), ${SECONDS} s\n`);
  const smtp = await startSmtpServer();
  const proxy = await startDelayProxy(smtp.port, everyReply(0));
  const scripted = await startScriptedSmtp(() => 'accept');
  const silent = await startSilentServer();
  const kafka = await startKafkaMock();
  const started = Date.now();
  let failed = false;
  try {
    for (let round = 1; !failed && Date.now() - started < SECONDS * 1000; round += 1) {
      const plan = planRound();
      smtp.reset();
      scripted.mails.length = 0;
      const peer = smtpPeer(plan.smtp, {
        proxy: proxy.url,
        direct: smtp.url,
        scripted: scripted.url,
        silent: silent.url,
      });
      proxy.delay = proxyDelay(plan.smtp);
      // Its own stream, so the plans of later rounds do not depend on how many mails this one sent.
      const faultRandom = prng(Math.floor(random() * 2 ** 32));
      scripted.faultFor = () =>
        plan.smtp.kind === 'scripted' && faultRandom() < plan.smtp.share ? plan.smtp.fault : 'accept';
      let ledger;
      try {
        ledger = await runScenario(
          { smtpUrl: peer, mails: () => [...smtp.mails, ...scripted.mails], kafka },
          {},
          (scenario) => runRound(scenario, plan, kafka),
          { quietMs: 2000, maxMs: 30_000, busy: () => proxy.busy() },
        );
      } catch (err) {
        failed = true;
        process.stdout.write(
          `round ${round}: ${JSON.stringify(plan)}\n  ${err instanceof Error ? err.message : String(err)}\nchaos failed in round ${round}; replay with CHAOS_SEED=${SEED}\n`,
        );
        break;
      }
      const violations = ledger.check();
      process.stdout.write(`round ${round}: ${JSON.stringify(plan)}\n  ${ledger.summary()}\n`);
      if (violations.length > 0) {
        failed = true;
        process.stdout.write(
          `${formatViolations(violations)}\nchaos failed in round ${round}; replay with CHAOS_SEED=${SEED}\n`,
        );
      }
    }
  } finally {
    thaw(kafka);
    await kafka.stop();
    await Promise.all([proxy.stop(), scripted.stop(), silent.stop()]);
    await smtp.stop();
  }
  if (failed) process.exit(1);
  process.stdout.write(`chaos passed (seed ${SEED})\n`);
}

function smtpPeer(plan: SmtpPlan, urls: { proxy: string; direct: string; scripted: string; silent: string }): string {
  if (plan.kind === 'blackhole') return urls.silent;
  if (plan.kind === 'scripted') return urls.scripted;
  return plan.kind === 'healthy' ? urls.direct : urls.proxy;
}

function proxyDelay(plan: SmtpPlan): ReplyDelay {
  if (plan.kind === 'slow') return plan.greetingToo ? everyReply(plan.replyMs) : afterGreeting(plan.replyMs);
  if (plan.kind === 'slow-dot') return (_index, reply) => (/queued/i.test(reply) ? plan.dotMs : 0);
  return everyReply(0);
}

/** The load, with the Kafka fault and the SIGTERM on their own timers; always undoes the Kafka fault. */
async function runRound({ fn, send }: Scenario, plan: RoundPlan, kafka: KafkaMock): Promise<void> {
  const agent = new Agent({ keepAlive: plan.keepAlive, maxSockets: plan.clients });
  const timers: NodeJS.Timeout[] = [];
  const undo: (() => Promise<void>)[] = [];
  const at = (ms: number, action: () => Promise<void> | void): void => {
    timers.push(setTimeout(() => void Promise.resolve(action()).catch(() => undefined), ms));
  };
  if (plan.kafka.kind === 'rtt') {
    await kafka.setRtt(1, plan.kafka.rttMs);
    undo.push(() => kafka.setRtt(1, 0));
  } else if (plan.kafka.kind === 'down') {
    const { atMs, forMs } = plan.kafka;
    at(atMs, () => kafka.brokerDown(1));
    at(atMs + forMs, () => kafka.brokerUp(1));
    undo.push(() => kafka.brokerUp(1));
  } else if (plan.kafka.kind === 'freeze') {
    const { atMs, forMs } = plan.kafka;
    at(atMs, () => freeze(kafka));
    at(atMs + forMs, () => thaw(kafka));
    undo.push(() => Promise.resolve(thaw(kafka)));
  }
  let exited = false;
  void fn.exited.then(() => (exited = true));
  const clients = startClients(plan.clients, (client, n) => send(`chaos-${client}-${n}@mailinator.com`, { agent }));
  try {
    if (plan.sigtermAtMs !== undefined) at(plan.sigtermAtMs, () => void fn.child.kill('SIGTERM'));
    const end = Date.now() + plan.loadMs;
    while (Date.now() < end && !exited) await pause(50);
    if (plan.sigtermAtMs !== undefined) {
      const deadline = Number(FAULT_TIMEOUTS.SHUTDOWN_TIMEOUT_SECONDS) * 1000 + 2000;
      const code = await Promise.race([fn.exited, pause(deadline).then(() => 'not exited')]);
      if (code !== 0) throw new Error(`after SIGTERM: exit ${String(code)}, expected 0 within the drain deadline`);
    }
  } finally {
    await clients.stop();
    for (const timer of timers) clearTimeout(timer);
    for (const step of undo) await step().catch(() => undefined);
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nreplay with CHAOS_SEED=${SEED}\n`,
  );
  process.exit(1);
});
