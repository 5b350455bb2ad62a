/**
 * `make bench`: P1 cold start (send-mail, and feedback and recorder to their own first real request), P2
 * shared-layer overhead, P3 end to end (CPU ms per mail as the steady measure, mails/s and p99 beside it;
 * also with the suppression check and rate limits), P4 memory, P5 report reading, P5-batch batch sends
 * against single sends, P6 the recorder into PostgreSQL, P7 one 10 MiB attachment's peak memory, and a
 * 10-minute soak, each against baselines run side by side in the same run (candidates interleaved A B A B …),
 * reported as medians, min–max and ratios with every target's pass/fail. The main baseline is the minimal
 * mailer (fixtures/minimal-mailer.ts: the same work, nothing else); the stock framework hello world and bare
 * node:http stay as references. Servers run on core 0, the load generator and the peers on core 1; the
 * peers' CPU is counted apart. Writes test-results/bench/bench-node<major>.json and the charts
 * docs/perf/ratios.svg (every target) and docs/perf/cold-start.svg (each function's phases).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { FEEDBACK_PATH } from '../../functions/feedback/identity';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { createVerp } from '../../shared/verp';
import { dsnReport } from '../fixtures/feedback-reports';
import { phaseChart, ratioChart } from './charts';
import { minuteLine, soak, SOAK_BASE_MINUTE, SOAK_GROWTH_LIMIT } from './soak';
import { benchEvents, deliverAll, emptyTimeline, insertBatched } from './recorder-load';
import {
  BENCH_DIR,
  BENCH_VERP,
  buildBenchBundles,
  CANDIDATE_NODE,
  CANDIDATE_ALLOCATOR,
  CANDIDATE_PROCESS_ENV,
  candidateEnvironment,
  SERVER_CORE,
  candidateMemoryLimit,
  COMPILE_CACHE_DIR,
  cpuMs,
  feedbackEnv,
  load,
  MAIL_BODY,
  median,
  peakRssBytes,
  podContainerConcurrency,
  recorderEnv,
  resetPeakRss,
  ROOT,
  rssBytes,
  sendMailEnv,
  sendMailRequest,
  spawnPinned,
  startPeers,
  type LoadResult,
  type Peers,
} from './harness';
import { quantityBytes } from '../support/pod';

const RUNS = Number(process.env.BENCH_RUNS ?? '15');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const SECONDS = Number(process.env.BENCH_SECONDS ?? '5');
/** While working on one target: BENCH_PARTS=p1,p2p4,p3,p5 (default all); charts are written only for a full run. */
const ALL_PARTS = ['p1', 'p2p4', 'p3', 'p5', 'p5batch', 'p6', 'p7', 'soak'];
/** The soak's length (issue 32: 10 minutes); BENCH_SOAK_SECONDS shortens it while working on it. */
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? '600');
const PARTS = new Set((process.env.BENCH_PARTS ?? ALL_PARTS.join(',')).split(','));
/** P5-batch (issue 30): mails per batch, and the connections both sides keep busy. */
const P5B_ITEMS = 100;
const P5B_CONNECTIONS = 10;
const P5B_TARGET = 3;
/** P7 (issue 30): one mail with an attachment of MAX_ATTACHMENT_BYTES (10 MiB); its peak RSS above idle. */
const P7_PAYLOAD = 10 * 1024 * 1024;
const P7_TARGET = 4;
/** P6: events per run, deliveries in flight (a Trigger's or KafkaSource's parallelism), the baseline's batch. */
const P6_EVENTS = Number(process.env.BENCH_RECORDER_EVENTS ?? '4000');
const P6_IN_FLIGHT = 16;
const P6_BATCH = 500;
const RECORDER = [join(ROOT, 'dist', 'recorder', 'main.js')];
/** P5's target: reading one report of up to 2 MiB, p99 (issue 28). */
const P5_P99_MS = 20;
const P3_WARMUP = 500;
const P4_REQUESTS = 20_000;
const STOCK_CLI = join(ROOT, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
const HELLO = ['--target=hello', `--source=${join(__dirname, 'fixtures', 'hello-framework.js')}`];
const OURS = [join(ROOT, 'dist', 'send-mail', 'main.js')];
const MINIMAL = [join(BENCH_DIR, 'minimal-mailer.js')];
const CHART_DIR = join(ROOT, 'docs', 'perf');

/**
 * Our send-mail under other settings, each measured in the same loops as the plain one (P1 and P3) and
 * reported beside it. One line per variant: `env` is the whole environment, `keyed` puts a fresh
 * Idempotency-Key on every request.
 */
interface Variant {
  readonly name: string;
  /** Another bundle than ours (BENCH_AB), run with the plain environment. */
  readonly args?: string[];
  readonly env: (peers: Peers) => Record<string, string>;
  readonly keyed?: boolean;
  /** A target ratio to the plain P3 (req/s), when the variant has one. */
  readonly limit?: number;
}
const VARIANTS: readonly Variant[] = [
  {
    name: 'with an Idempotency-Key on every request (keys in Redis)',
    env: (p) => sendMailEnv(p, true, true),
    keyed: true,
  },
  { name: 'with events off', env: (p) => sendMailEnv(p, false) },
  {
    // Issue 29: one query per mail against 10,000 suppressions in a real PostgreSQL; the plain run has the check off.
    name: 'with the suppression check (SUPPRESSION_CHECK=required, PostgreSQL)',
    env: (p) => ({ ...sendMailEnv(p, true), SUPPRESSION_CHECK: 'required', DATABASE_URL: p.postgres.sendMailUrl }),
    limit: 0.95,
  },
  {
    // Issue 31: every mail taken from its caller's token bucket in Redis, with a limit far above the load.
    name: 'with per-caller rate limits (buckets in Redis, a limit above the load)',
    env: (p) => ({
      ...sendMailEnv(p, true),
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
      RATE_LIMIT_REDIS_URL: p.redisUrl,
    }),
    limit: 0.95,
  },
  {
    // Issue 18: events POSTed to a CloudEvents sink (a KafkaSink in production) instead of produced to Kafka.
    name: 'with events over HTTP to K_SINK (EVENT_TRANSPORT=http)',
    env: (p) => ({ ...sendMailEnv(p, true), EVENT_TRANSPORT: 'http', K_SINK: p.sinkUrl }),
  },
  // A lever's before and after (issue 32): BENCH_AB=<a copy of dist/send-mail/main.js from before it> runs
  // that bundle in the same interleaved loops, so "plain / A/B" is the lever's own effect in one run.
  ...(process.env.BENCH_AB
    ? [
        {
          name: `the A/B bundle ${process.env.BENCH_AB}`,
          args: [process.env.BENCH_AB],
          env: (p: Peers) => sendMailEnv(p, true),
        },
      ]
    : []),
];

interface Row {
  readonly name: string;
  readonly unit: string;
  readonly ours: number[];
  readonly baseline: number[];
  readonly baselineName: string;
  /** Short name on the ratio chart; rows without one (references) are left off it. */
  readonly chart?: string;
  readonly better: 'lower' | 'higher';
  /** The target ratio; undefined for a reference row. */
  readonly limit?: number;
}

const ratioOf = (row: Row): number => median(row.ours) / median(row.baseline);
const metOf = (row: Row): boolean | undefined =>
  row.limit === undefined ? undefined : row.better === 'lower' ? ratioOf(row) <= row.limit : ratioOf(row) >= row.limit;

/** Cold-start phases, each ending at: modules loaded, config loaded, listening, the first 200. */
const PHASES = ['module load', 'config', 'listening', 'first request'] as const;

function startupPhases(stdout: string): Record<string, number> {
  const line = stdout.split('\n').find((text) => text.includes('listening')) ?? '{}';
  return (JSON.parse(line) as { startup?: Record<string, number> }).startup ?? {};
}

/** Where each phase of a cold start ends, collected over the runs: one list per phase. */
type PhaseEnds = Record<(typeof PHASES)[number], number[]>;
const phaseEnds = (): PhaseEnds => ({ 'module load': [], config: [], listening: [], 'first request': [] });

function recordPhases(into: PhaseEnds, child: { stdout(): string; firstAnswerMs: number }): void {
  const startup = startupPhases(child.stdout());
  into['module load'].push(startup.modules_loaded_ms ?? Number.NaN);
  into.config.push(startup.config_loaded_ms ?? Number.NaN);
  into.listening.push(startup.listening_ms ?? Number.NaN);
  into['first request'].push(child.firstAnswerMs);
}

/** Issue 32: the functions of this round, each to its own first real request (their P1). */
interface ColdCandidate {
  readonly name: string;
  readonly args: string[];
  readonly env: (peers: Peers) => Record<string, string>;
  readonly first: (peers: Peers) => Promise<{ path: string; init: RequestInit }>;
}
const VERP_FOR_BENCH = createVerp(BENCH_VERP);
const COLD_FUNCTIONS: readonly ColdCandidate[] = [
  {
    // A bounce of one of our mails (its VERP tag verifies): read, correlated, its event produced and acked.
    name: 'feedback',
    args: [join(ROOT, 'dist', 'feedback', 'main.js')],
    env: feedbackEnv,
    first: async (peers) => ({
      path: FEEDBACK_PATH,
      init: {
        method: 'POST',
        headers: { 'Content-Type': 'message/rfc822', Authorization: `Bearer ${await peers.token(['feedback'])}` },
        body: new Uint8Array(
          dsnReport({ to: VERP_FOR_BENCH?.address(randomUUID()) ?? '', recipient: 'gone@example.org' }),
        ),
      },
    }),
  },
  {
    // One email.sent as Knative delivers it (binary mode): its rows committed in PostgreSQL.
    name: 'recorder',
    args: RECORDER,
    env: recorderEnv,
    first: () => {
      const [event] = benchEvents(1);
      return Promise.resolve({
        path: '/',
        init: { method: 'POST', headers: event?.headers ?? {}, body: event?.body ?? '' },
      });
    },
  },
];

async function p1(peers: Peers): Promise<{ rows: Row[]; phases: Record<string, Record<string, number>> }> {
  const ours: number[] = [];
  const variants = VARIANTS.map(() => [] as number[]);
  const functions = COLD_FUNCTIONS.map(() => [] as number[]);
  const minimal: number[] = [];
  const stock: number[] = [];
  const bare: number[] = [];
  const ends: Record<string, PhaseEnds> = Object.fromEntries(
    ['send-mail', ...COLD_FUNCTIONS.map((fn) => fn.name)].map((name) => [name, phaseEnds()]),
  );
  const first = (token: string, run: number, keyed?: boolean): { path: string; init: RequestInit } => ({
    path: SEND_MAIL_PATH,
    init: sendMailRequest(token, keyed ? `bench-cold-${run}-${Date.now()}` : undefined),
  });
  // Run -1 is a warm-up, not counted: it fills the compile cache (when set) and the page cache alike for all.
  for (let run = -1; run < RUNS; run += 1) {
    const counted = run >= 0;
    const token = await peers.token();
    const a = await spawnPinned(OURS, sendMailEnv(peers, true), first(token, run));
    // The log lines are written asynchronously: the start-up line is read once the process has exited.
    await a.stop();
    if (counted) {
      ours.push(a.firstAnswerMs);
      recordPhases(ends['send-mail'] ?? phaseEnds(), a);
    }
    for (const [index, variant] of VARIANTS.entries()) {
      const v = await spawnPinned(variant.args ?? OURS, variant.env(peers), first(token, run, variant.keyed));
      if (counted) variants[index]?.push(v.firstAnswerMs);
      await v.stop();
    }
    for (const [index, fn] of COLD_FUNCTIONS.entries()) {
      const f = await spawnPinned(fn.args, fn.env(peers), await fn.first(peers));
      await f.stop();
      if (counted) {
        functions[index]?.push(f.firstAnswerMs);
        recordPhases(ends[fn.name] ?? phaseEnds(), f);
      }
    }
    const m = await spawnPinned(MINIMAL, sendMailEnv(peers, true), first(token, run));
    if (counted) minimal.push(m.firstAnswerMs);
    await m.stop();
    const b = await spawnPinned([STOCK_CLI, ...HELLO], {});
    if (counted) stock.push(b.firstAnswerMs);
    await b.stop();
    const c = await spawnPinned([join(__dirname, 'fixtures', 'hello-bare.js')], {});
    if (counted) bare.push(c.firstAnswerMs);
    await c.stop();
  }
  const name = 'P1 cold start → first authenticated 200 (mail + event acked)';
  return {
    rows: [
      {
        name,
        unit: 'ms',
        ours,
        baseline: minimal,
        baselineName: 'minimal mailer',
        chart: 'P1 cold start vs minimal mailer',
        better: 'lower',
        limit: 1.1,
      },
      {
        name,
        unit: 'ms',
        ours,
        baseline: stock,
        baselineName: 'stock CLI hello world',
        chart: 'P1 cold start vs stock hello world',
        better: 'lower',
        limit: 1.0,
      },
      ...COLD_FUNCTIONS.map((fn, index) => ({
        name: `P1 ${fn.name} cold start → its first real request (${fn.name === 'feedback' ? 'a bounce read, its event acked: 202' : 'an email.sent committed: 204'})`,
        unit: 'ms',
        ours: functions[index] ?? [],
        baseline: stock,
        baselineName: 'stock CLI hello world',
        chart: `P1 ${fn.name} cold start vs stock hello world`,
        better: 'lower' as const,
        limit: 1.0,
      })),
      {
        name: 'P1 cold start (reference)',
        unit: 'ms',
        ours,
        baseline: bare,
        baselineName: 'bare node:http',
        better: 'lower',
      },
      ...VARIANTS.map((variant, index) => ({
        name: `P1 cold start ${variant.name}`,
        unit: 'ms',
        ours: variants[index] ?? [],
        baseline: ours,
        baselineName: 'plain P1, same run',
        better: 'lower' as const,
      })),
    ],
    // Per function, the medians of each phase's end; the chart stacks the differences.
    phases: Object.fromEntries(
      Object.entries(ends).map(([fn, phases]) => [
        fn,
        Object.fromEntries(PHASES.map((phase) => [phase, median(phases[phase])])),
      ]),
    ),
  };
}

/** P2 (throughput of the shared layer) against the stock hello world, then P4 (RSS) against the minimal mailer. */
async function p2p4(peers: Peers): Promise<Row[]> {
  const oursRps: number[] = [];
  const uncachedRps: number[] = [];
  const stockRps: number[] = [];
  const oursRss: number[] = [];
  const minimalRss: number[] = [];
  const stockRss: number[] = [];
  const token = await peers.token();
  const request = sendMailRequest(token);
  const probe = { path: SEND_MAIL_PATH, init: request };
  const rps = async (url: string): Promise<number> =>
    checked(await load(url, { connections: 50, duration: SECONDS, request })).rps;
  // RSS after the same 20k requests in every round: one reading is too much at the garbage collector's mercy.
  const rssAfter = async (child: { url: string; process: { pid?: number } }, path: string): Promise<number> => {
    checked(await load(`${child.url}${path}`, { connections: 50, amount: P4_REQUESTS, request }));
    return rssBytes(child.process.pid ?? 0);
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    const a = await spawnPinned([join(BENCH_DIR, 'send-mail-noop.js')], sendMailEnv(peers, false), probe);
    oursRps.push(await rps(`${a.url}${SEND_MAIL_PATH}`));
    await a.stop();
    // The same with every signature checked (no verified-token cache): what a client minting a token per request costs.
    const u = await spawnPinned(
      [join(BENCH_DIR, 'send-mail-noop.js')],
      { ...sendMailEnv(peers, false), AUTH_TOKEN_CACHE_SECONDS: '0' },
      probe,
    );
    uncachedRps.push(await rps(`${u.url}${SEND_MAIL_PATH}`));
    await u.stop();
    const b = await spawnPinned([STOCK_CLI, ...HELLO], {});
    stockRps.push(checked(await load(b.url, { connections: 50, duration: SECONDS })).rps);
    stockRss.push(await rssAfter(b, '/'));
    await b.stop();
    // P4: both sides do the same work minus SMTP (no-op delivery), events produced to the broker.
    const r = await spawnPinned([join(BENCH_DIR, 'send-mail-noop.js')], sendMailEnv(peers, true), probe);
    oursRss.push(await rssAfter(r, SEND_MAIL_PATH));
    await r.stop();
    const m = await spawnPinned(MINIMAL, { ...sendMailEnv(peers, true), MINIMAL_SMTP: 'noop' }, probe);
    minimalRss.push(await rssAfter(m, SEND_MAIL_PATH));
    await m.stop();
  }
  const p4 = 'P4 RSS after 20k requests (no-op SMTP, events on)';
  return [
    {
      name: 'P2 shared layer, RS256 auth, no-op delivery, 50 connections',
      unit: 'req/s',
      ours: oursRps,
      baseline: stockRps,
      baselineName: 'stock CLI hello world',
      chart: 'P2 authenticated route vs stock hello world',
      better: 'higher',
      limit: 1.1,
    },
    {
      name: 'P2 with every signature checked (AUTH_TOKEN_CACHE_SECONDS=0, reference)',
      unit: 'req/s',
      ours: uncachedRps,
      baseline: stockRps,
      baselineName: 'stock CLI hello world',
      better: 'higher',
    },
    {
      name: p4,
      unit: 'MiB',
      ours: oursRss.map(mib),
      baseline: minimalRss.map(mib),
      baselineName: 'minimal mailer',
      chart: 'P4 RSS vs minimal mailer',
      better: 'lower',
      limit: 1.1,
    },
    {
      name: `${p4} (reference)`,
      unit: 'MiB',
      ours: oursRss.map(mib),
      baseline: stockRss.map(mib),
      baselineName: 'stock CLI hello world (its own route)',
      better: 'lower',
    },
  ];
}

/** One P3 run: the load's result, and CPU time per mail of the candidate and, apart, of the peers. */
interface P3Run extends LoadResult {
  /** The candidate's own user + system CPU over the measured load, per mail. */
  readonly cpuPerMail: number;
  /** The SMTP sink's and the Kafka mock's together, per mail: theirs, never in the ratio. */
  readonly peersCpuPerMail: number;
}

/** (max − min) / median: how far a measure moves across rounds. */
const spread = (values: number[]): number => (Math.max(...values) - Math.min(...values)) / median(values);

async function p3(peers: Peers): Promise<{ rows: Row[]; summary: string }> {
  const ours: P3Run[] = [];
  const variants = VARIANTS.map(() => [] as P3Run[]);
  const minimal: P3Run[] = [];
  const token = await peers.token();
  const peersCpu = (): number => peers.pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  // Both sides warm up on the same number of messages first (pool connections, compiled code), uncounted.
  const run = async (args: string[], env: Record<string, string>, keyed = false): Promise<P3Run> => {
    const child = await spawnPinned(args, env, {
      path: SEND_MAIL_PATH,
      init: sendMailRequest(token, keyed ? `bench-p3-first-${Date.now()}` : undefined),
    });
    const options = { connections: 50, request: sendMailRequest(token), keyed };
    checked(await load(`${child.url}${SEND_MAIL_PATH}`, { ...options, amount: P3_WARMUP }));
    const pid = child.process.pid ?? 0;
    const [ownBefore, peersBefore] = [cpuMs(pid), peersCpu()];
    const result = checked(await load(`${child.url}${SEND_MAIL_PATH}`, { ...options, duration: SECONDS }));
    const [ownAfter, peersAfter] = [cpuMs(pid), peersCpu()];
    await child.stop();
    return {
      ...result,
      cpuPerMail: (ownAfter - ownBefore) / result.requests,
      peersCpuPerMail: (peersAfter - peersBefore) / result.requests,
    };
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    ours.push(await run(OURS, sendMailEnv(peers, true)));
    for (const [index, variant] of VARIANTS.entries())
      variants[index]?.push(await run(variant.args ?? OURS, variant.env(peers), variant.keyed));
    minimal.push(await run(MINIMAL, sendMailEnv(peers, true)));
  }
  const rps = (results: LoadResult[]): number[] => results.map((r) => r.rps);
  const p99 = (results: LoadResult[]): number[] => results.map((r) => r.p99);
  const cpu = (results: P3Run[]): number[] => results.map((r) => r.cpuPerMail);
  const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;
  const name = 'P3 end to end, real SMTP + mock broker, 50 connections';
  const rows: Row[] = [
    {
      name: 'P3 CPU ms per mail (the candidate’s own user + system time over the run)',
      unit: 'ms',
      ours: cpu(ours),
      baseline: cpu(minimal),
      baselineName: 'minimal mailer',
      chart: 'P3 CPU ms per mail vs minimal mailer',
      better: 'lower',
      limit: 1.15,
    },
    {
      name,
      unit: 'req/s',
      ours: rps(ours),
      baseline: rps(minimal),
      baselineName: 'minimal mailer',
      chart: 'P3 mails/s vs minimal mailer',
      better: 'higher',
      limit: 0.9,
    },
    {
      name: 'P3 p99 latency',
      unit: 'ms',
      ours: p99(ours),
      baseline: p99(minimal),
      baselineName: 'minimal mailer',
      chart: 'P3 p99 vs minimal mailer',
      better: 'lower',
      limit: 1.5,
    },
    {
      name: 'P3 p50 latency (reference)',
      unit: 'ms',
      ours: ours.map((r) => r.p50),
      baseline: minimal.map((r) => r.p50),
      baselineName: 'minimal mailer',
      better: 'lower',
    },
    {
      name: 'P3 the peers’ CPU ms per mail, SMTP sink + Kafka mock (reference, never in a ratio with a target)',
      unit: 'ms',
      ours: ours.map((r) => r.peersCpuPerMail),
      baseline: minimal.map((r) => r.peersCpuPerMail),
      baselineName: 'minimal mailer’s peers',
      better: 'lower',
    },
    ...VARIANTS.flatMap((variant, index) => [
      {
        name: `P3 ${variant.name}`,
        unit: 'req/s',
        ours: rps(variants[index] ?? []),
        baseline: rps(ours),
        baselineName: 'plain P3, same run',
        better: 'higher' as const,
        ...(variant.limit === undefined
          ? {}
          : { limit: variant.limit, chart: `P3 ${variant.name.replace(/ \(.*\)$/, '')} vs plain` }),
      },
      {
        name: `P3 CPU ms per mail ${variant.name} (reference)`,
        unit: 'ms',
        ours: cpu(variants[index] ?? []),
        baseline: cpu(ours),
        baselineName: 'plain P3, same run',
        better: 'lower' as const,
      },
      {
        name: `P3 p99 ${variant.name}`,
        unit: 'ms',
        ours: p99(variants[index] ?? []),
        baseline: p99(ours),
        baselineName: 'plain P3, same run',
        better: 'lower' as const,
      },
    ]),
  ];
  const summary = `P3 spread across ${ROUNDS} rounds, (max − min) / median: CPU ms per mail ours ${pct(spread(cpu(ours)))}, minimal ${pct(spread(cpu(minimal)))}; mails/s ours ${pct(spread(rps(ours)))}, minimal ${pct(spread(rps(minimal)))}; the CPU ratio per round ${ours.map((r, i) => (r.cpuPerMail / (minimal[i]?.cpuPerMail ?? Number.NaN)).toFixed(2)).join(', ')}, the mails/s ratio per round ${ours.map((r, i) => (r.rps / (minimal[i]?.rps ?? Number.NaN)).toFixed(2)).join(', ')}.`;
  return { rows, summary };
}

/**
 * P5-batch (issue 30): mails/s through POST /api/rest/v1/sendmail/batch (100 mails a request) against single
 * sends, the same bundle, settings, peers and number of connections; rounds interleaved. A batch counts only
 * when every item was `sent` (checked on one before the load), so mails/s is batches/s × 100.
 */
async function p5batch(peers: Peers): Promise<Row[]> {
  const single = { rate: [] as number[], cpu: [] as number[] };
  const batched = { rate: [] as number[], cpu: [] as number[] };
  const token = await peers.token();
  const batchBody = JSON.stringify({
    messages: Array.from({ length: P5B_ITEMS }, () => JSON.parse(MAIL_BODY) as unknown),
  });
  const batchRequest: RequestInit = { ...sendMailRequest(token), body: batchBody };
  const run = async (path: string, request: RequestInit, mailsPerRequest: number, into: typeof single) => {
    const child = await spawnPinned(OURS, sendMailEnv(peers, true), { path, init: request });
    if (path === SEND_MAIL_BATCH_PATH) {
      const answer = (await (await fetch(`${child.url}${path}`, request)).json()) as { results: { status: string }[] };
      const sent = answer.results.filter((result) => result.status === 'sent').length;
      if (sent !== P5B_ITEMS) throw new Error(`a bench batch sent ${sent} of ${P5B_ITEMS} mails`);
    }
    const options = { connections: P5B_CONNECTIONS, request };
    const warmup = Math.max(P5B_CONNECTIONS, Math.ceil(P3_WARMUP / mailsPerRequest));
    checked(await load(`${child.url}${path}`, { ...options, amount: warmup }));
    const pid = child.process.pid ?? 0;
    const cpuBefore = cpuMs(pid);
    const result = checked(await load(`${child.url}${path}`, { ...options, duration: SECONDS }));
    const mails = result.requests * mailsPerRequest;
    into.cpu.push((cpuMs(pid) - cpuBefore) / mails);
    into.rate.push(mails / SECONDS);
    await child.stop();
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    await run(SEND_MAIL_PATH, sendMailRequest(token), 1, single);
    await run(SEND_MAIL_BATCH_PATH, batchRequest, P5B_ITEMS, batched);
  }
  return [
    {
      name: `P5-batch mails/s, ${P5B_ITEMS} mails a batch, ${P5B_CONNECTIONS} connections`,
      unit: 'mails/s',
      ours: batched.rate,
      baseline: single.rate,
      baselineName: 'single sends, same connections and peers',
      chart: 'P5-batch mails/s vs single sends',
      better: 'higher',
      limit: P5B_TARGET,
    },
    {
      name: 'P5-batch CPU ms per mail (reference)',
      unit: 'ms',
      ours: batched.cpu,
      baseline: single.cpu,
      baselineName: 'single sends',
      better: 'lower',
    },
  ];
}

/**
 * P6 (issue 29): the recorder's events per second into PostgreSQL, each event its own binary-mode POST and
 * transaction as Knative delivers it, against plain batched INSERTs of the same rows; rounds interleaved.
 */
async function p6(peers: Peers): Promise<Row[]> {
  const recorder: number[] = [];
  const batched: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    await emptyTimeline(peers.postgres.ownerUrl);
    const child = await spawnPinned(
      RECORDER,
      { ENVIRONMENT: 'dev', LOG_LEVEL: 'info', LOG_FORMAT: 'ecs', DATABASE_URL: peers.postgres.recorderUrl },
      { path: '/readyz' },
    );
    await deliverAll(child.url, benchEvents(P3_WARMUP), P6_IN_FLIGHT);
    recorder.push(await deliverAll(child.url, benchEvents(P6_EVENTS), P6_IN_FLIGHT));
    await child.stop();
    await emptyTimeline(peers.postgres.ownerUrl);
    await insertBatched(peers.postgres.ownerUrl, benchEvents(P3_WARMUP), P6_BATCH);
    batched.push(await insertBatched(peers.postgres.ownerUrl, benchEvents(P6_EVENTS), P6_BATCH));
  }
  return [
    {
      name: `P6 recorder into PostgreSQL, ${P6_IN_FLIGHT} deliveries in flight`,
      unit: 'events/s',
      ours: recorder,
      baseline: batched,
      baselineName: `plain batched INSERTs of the same rows (${P6_BATCH} events per transaction)`,
      chart: 'P6 recorder vs batched INSERTs',
      better: 'higher',
      limit: 0.5,
    },
  ];
}

/**
 * P5: the feedback function's report reader over the 228 real reports and three of about 2 MiB, each read
 * many times by one pinned process (fixtures/feedback-parse.ts), against postal-mime's parse alone in the
 * same process, interleaved. Its own target is absolute: p99 under P5_P99_MS. Peak RSS is the process's.
 */
function p5(): { rows: Row[] } & Absolute {
  const runs = Array.from({ length: ROUNDS }, () => {
    const output = execFileSync(
      'taskset',
      [
        '-c',
        SERVER_CORE,
        CANDIDATE_NODE,
        join(BENCH_DIR, 'feedback-parse.js'),
        join(ROOT, 'test', 'fixtures', 'bounces'),
        '10',
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...CANDIDATE_PROCESS_ENV },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(output.trim()) as {
      reports: number;
      largestBytes: number;
      ours: number[];
      baseline: number[];
      maxRssMiB: number;
    };
  });
  const p99 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? 0;
  const ours = runs.map((run) => p99(run.ours));
  const worst = Math.max(...ours);
  const rss = Math.max(...runs.map((run) => run.maxRssMiB));
  const first = runs[0];
  return {
    rows: [
      {
        name: `P5 report reading p99 (${first?.reports ?? 0} reports, the largest ${mib(first?.largestBytes ?? 0).toFixed(1)} MiB)`,
        unit: 'ms',
        ours,
        baseline: runs.map((run) => p99(run.baseline)),
        baselineName: 'postal-mime parse alone',
        better: 'lower',
      },
    ],
    summary: `P5: reading one report of up to 2 MiB, p99 ${fmt(worst)} ms at worst over ${ROUNDS} rounds (target < ${P5_P99_MS} ms): ${worst < P5_P99_MS ? 'PASS' : 'FAIL'}; peak RSS of the reading process ${fmt(rss)} MiB.`,
    name: `P5 report reading p99 / ${P5_P99_MS} ms`,
    ratio: worst / P5_P99_MS,
    met: worst < P5_P99_MS,
  };
}

/**
 * P7 (issue 30): send-mail's peak resident set while it sends one mail with a 10 MiB attachment, above its
 * resident set when idle (warmed up by small sends), as a multiple of the payload. The peak is reset just
 * before the send, so start-up does not count.
 */
async function p7(peers: Peers): Promise<Absolute> {
  const token = await peers.token();
  const body = JSON.stringify({
    to_address: 'demo@mailinator.com',
    subject: 'your report',
    body: 'attached',
    attachments: [{ filename: 'report.pdf', content: randomBytes(P7_PAYLOAD).toString('base64') }],
  });
  const init = (payload: string): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: payload,
  });
  const multiples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const child = await spawnPinned(OURS, sendMailEnv(peers, true), {
      path: SEND_MAIL_PATH,
      init: sendMailRequest(token),
    });
    const pid = child.process.pid ?? 0;
    for (let i = 0; i < 20; i += 1)
      await (await fetch(`${child.url}${SEND_MAIL_PATH}`, sendMailRequest(token))).arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const idle = rssBytes(pid);
    resetPeakRss(pid);
    const answer = await fetch(`${child.url}${SEND_MAIL_PATH}`, init(body));
    await answer.arrayBuffer();
    if (answer.status !== 200) throw new Error(`the 10 MiB attachment was answered ${answer.status}`);
    multiples.push((peakRssBytes(pid) - idle) / P7_PAYLOAD);
    await child.stop();
  }
  const worst = Math.max(...multiples);
  const burst = await p7Burst(peers, token);
  return {
    summary: `P7: one ${mib(P7_PAYLOAD)} MiB attachment, peak RSS above idle ${fmt(median(multiples))}× the payload (worst ${fmt(worst)}× over ${ROUNDS} rounds; target ≤ ${P7_TARGET}×): ${worst <= P7_TARGET ? 'PASS' : 'FAIL'}.\n${burst.summary}`,
    name: `P7 attachment peak RSS / ${P7_TARGET}× the payload (and the burst)`,
    ratio: worst / P7_TARGET,
    met: worst <= P7_TARGET && burst.met,
  };
}

/**
 * P7, the burst (issue 30): containerConcurrency requests of the largest send at once, in the pod's memory
 * limit (every candidate runs in it); peak RSS against that limit, and every answer 200 or 503 server.busy.
 */
async function p7Burst(peers: Peers, token: string): Promise<{ summary: string; met: boolean }> {
  const concurrency = podContainerConcurrency();
  const limit = candidateMemoryLimit().quantity;
  const content = Buffer.from(randomBytes(P7_PAYLOAD).toString('base64'), 'latin1');
  const head = Buffer.from(
    `{"to_address":"demo@mailinator.com","subject":"your report","body":"attached","attachments":[{"filename":"report.pdf","content":"`,
  );
  const tail = Buffer.from('"}]}');
  const child = await spawnPinned(OURS, sendMailEnv(peers, true), {
    path: SEND_MAIL_PATH,
    init: sendMailRequest(token),
  });
  const pid = child.process.pid ?? 0;
  resetPeakRss(pid);
  const answers = await Promise.all(
    Array.from({ length: concurrency }, () => postParts(`${child.url}${SEND_MAIL_PATH}`, token, [head, content, tail])),
  );
  const peak = peakRssBytes(pid);
  const alive = child.process.exitCode === null;
  await child.stop();
  const counts = new Map<string, number>();
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  const only = [...counts.keys()].every((answer) => answer === '200' || answer === '503 server.busy');
  const within = limit === undefined || peak < quantityBytes(limit);
  const met = alive && only && within;
  return {
    summary: `P7 burst: ${concurrency} (containerConcurrency) requests of the largest send at once: peak RSS ${fmt(mib(peak))} MiB (pod limit ${limit ?? 'none'}); answers ${[...counts].map(([answer, count]) => `${count}× ${answer}`).join(', ')}; ${alive ? 'alive' : 'DIED'} (target: within the limit, 200 or 503 server.busy only): ${met ? 'PASS' : 'FAIL'}.`,
    met,
  };
}

/** One POST written from shared buffers (no copy per request); resolves with "status code" or "none ERR". */
function postParts(url: string, token: string, parts: readonly Buffer[]): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': parts.reduce((sum, part) => sum + part.length, 0),
          Authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let code = '';
          try {
            code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: string }).message ?? '';
          } catch {
            // not JSON
          }
          resolve(`${res.statusCode ?? 0}${code && res.statusCode !== 200 ? ` ${code}` : ''}`);
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`none ${err.code ?? err.message}`));
    for (const part of parts.slice(0, -1)) req.write(part);
    req.end(parts.at(-1));
  });
}

/** The soak (test/perf/soak.ts): send-mail alone for SOAK_SECONDS; its target is absolute. */
async function soakPart(peers: Peers): Promise<Absolute> {
  const fn = await spawnPinned(OURS, sendMailEnv(peers, true), { path: '/readyz' });
  try {
    const result = await soak(fn, sendMailRequest(await peers.token()), SOAK_SECONDS, (minute, line) =>
      process.stdout.write(`soak ${minuteLine(minute, line)}`),
    );
    const met = result.failures === 0 && result.growth < SOAK_GROWTH_LIMIT;
    return {
      name: 'Soak RSS growth',
      ratio: result.growth / SOAK_GROWTH_LIMIT,
      met,
      summary: `Soak: ${result.minutes.length} minutes at 50 connections, RSS (median of each minute) ${result.minutes.map((minute) => fmt(mib(minute.rss))).join(' → ')} MiB; growth from minute ${SOAK_BASE_MINUTE} to the last ${(result.growth * 100).toFixed(1)} % (target < ${SOAK_GROWTH_LIMIT * 100} %), ${result.failures} failed requests: ${met ? 'PASS' : 'FAIL'}.`,
    };
  } finally {
    await fn.stop();
  }
}

/** A target that is no ratio to a baseline (P5's p99, P7's peak, the soak's growth): measured / limit. */
interface Absolute {
  readonly name: string;
  /** The measure divided by its limit: at most 1 meets it. */
  readonly ratio: number;
  readonly met: boolean;
  readonly summary: string;
}

function checked(result: LoadResult): LoadResult {
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`load run had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return result;
}

const mib = (bytes: number): number => bytes / 1024 / 1024;
// Two decimals below 10: CPU ms per mail moves in hundredths.
const fmt = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

function table(rows: Row[]): string {
  const lines = [
    '| Measure | Ours (median, min–max) | Baseline (median, min–max) | Ratio | Target | Met |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const met = metOf(row);
    const target = row.limit === undefined ? '—' : `${row.better === 'lower' ? '≤' : '≥'} ${row.limit}×`;
    const span = (values: number[]): string =>
      `${fmt(median(values))} ${row.unit} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
    lines.push(
      `| ${row.name} | ${span(row.ours)} | ${row.baselineName}: ${span(row.baseline)} | ${ratioOf(row).toFixed(2)}× | ${target} | ${met === undefined ? '—' : met ? 'PASS' : 'FAIL'} |`,
    );
  }
  return lines.join('\n');
}

function writeCharts(
  node: string,
  rows: Row[],
  absolutes: readonly Absolute[],
  phases: Record<string, Record<string, number>>,
  baselines: Record<string, number>,
): void {
  mkdirSync(CHART_DIR, { recursive: true });
  const charted = rows.filter((row) => row.chart !== undefined && row.limit !== undefined);
  writeFileSync(
    join(CHART_DIR, 'ratios.svg'),
    ratioChart(`make bench, Node ${node}: every target, as a ratio against its limit (black mark)`, [
      ...charted.map((row) => ({
        label: row.chart ?? row.name,
        ratio: ratioOf(row),
        limit: row.limit ?? 1,
        better: row.better,
      })),
      // The absolute targets as measure / limit: at most 1 meets them.
      ...absolutes.map((part) => ({ label: part.name, ratio: part.ratio, limit: 1, better: 'lower' as const })),
    ]),
  );
  const stacked = (ends: Record<string, number>): { name: string; ms: number }[] => {
    let previous = 0;
    return PHASES.map((phase) => {
      const end = ends[phase] ?? previous;
      const part = { name: phase, ms: Math.max(0, end - previous) };
      previous = Math.max(previous, end);
      return part;
    });
  };
  writeFileSync(
    join(CHART_DIR, 'cold-start.svg'),
    phaseChart(`make bench, Node ${node}: cold start to the first 2xx (medians, ms since spawn)`, [
      ...Object.entries(phases).map(([fn, ends]) => ({ label: `${fn} (phases)`, phases: stacked(ends) })),
      ...Object.entries(baselines).map(([label, ms]) => ({ label, phases: [{ name: 'total', ms }] })),
    ]),
  );
}

async function main(): Promise<void> {
  await buildBenchBundles();
  if (COMPILE_CACHE_DIR) rmSync(COMPILE_CACHE_DIR, { recursive: true, force: true });
  const node = execFileSync(CANDIDATE_NODE, ['--version'], { encoding: 'utf8' }).trim();
  process.stdout.write(
    `candidates run on Node ${node}${COMPILE_CACHE_DIR ? ', with a compile cache' : ''}, ${candidateEnvironment()}\n`,
  );
  const peers = await startPeers();
  try {
    const cold = PARTS.has('p1') ? await p1(peers) : { rows: [], phases: {} };
    const parsing = PARTS.has('p5') ? p5() : undefined;
    const attachment = PARTS.has('p7') ? await p7(peers) : undefined;
    const endToEnd = PARTS.has('p3') ? await p3(peers) : undefined;
    const rows = [
      ...cold.rows,
      ...(PARTS.has('p2p4') ? await p2p4(peers) : []),
      ...(endToEnd?.rows ?? []),
      ...(parsing?.rows ?? []),
      ...(PARTS.has('p5batch') ? await p5batch(peers) : []),
      ...(PARTS.has('p6') ? await p6(peers) : []),
    ];
    // Last: ten minutes of one process, after every ratio is in.
    const soaked = PARTS.has('soak') ? await soakPart(peers) : undefined;
    const absolutes = [parsing, attachment, soaked].filter((part): part is NonNullable<typeof part> => !!part);
    const missed = [
      ...rows.filter((row) => metOf(row) === false).map((row) => row.chart ?? row.name),
      ...absolutes.filter((part) => !part.met).map((part) => part.name),
    ];
    const targets = rows.filter((row) => row.limit !== undefined).length + absolutes.length;
    const verdict = `Targets met: ${targets - missed.length} of ${targets}${missed.length ? `; missed: ${missed.join(', ')}` : ''}.`;
    const phases = Object.entries(cold.phases)
      .map(
        ([fn, ends]) =>
          `${fn}: ${Object.entries(ends)
            .map(([phase, ms]) => `${phase} ${Math.round(ms)}`)
            .join(', ')}`,
      )
      .join('; ');
    const summaries = [endToEnd?.summary, ...absolutes.map((part) => part.summary)].filter(Boolean).join('\n');
    const output = `Node ${node}${COMPILE_CACHE_DIR ? ' with NODE_COMPILE_CACHE' : ''}, ${candidateEnvironment()}\n\n${table(rows)}\n\n${verdict}\n${summaries}\n\nP1 phases of each cold start (medians, ms since spawn, where each phase ends): ${phases}\n`;
    process.stdout.write(`\n${output}`);
    const p1Baselines = (baselineName: string): number =>
      median(cold.rows.find((row) => row.baselineName === baselineName)?.baseline ?? []);
    if (ALL_PARTS.every((part) => PARTS.has(part)))
      writeCharts(node, rows, absolutes, cold.phases, {
        'minimal mailer': p1Baselines('minimal mailer'),
        'stock CLI hello world': p1Baselines('stock CLI hello world'),
        'bare node:http': p1Baselines('bare node:http'),
      });
    // Beside, not among, the test reports CI sums up; one file per runtime.
    const dir = join(ROOT, 'test-results', 'bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `bench-node${node.replace(/^v/, '').split('.')[0]}${COMPILE_CACHE_DIR ? '-compile-cache' : ''}.json`),
      `${JSON.stringify({ runs: RUNS, rounds: ROUNDS, seconds: SECONDS, node, compileCache: COMPILE_CACHE_DIR !== undefined, allocator: CANDIDATE_ALLOCATOR, nodeOptions: CANDIDATE_PROCESS_ENV.NODE_OPTIONS ?? null, memoryLimit: candidateMemoryLimit().quantity ?? null, rows: rows.map((row) => ({ ...row, ratio: ratioOf(row), met: metOf(row) })), phases: cold.phases }, null, 2)}\n`,
    );
  } finally {
    await peers.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
