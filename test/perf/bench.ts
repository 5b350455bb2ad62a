/**
 * `make bench`: P1 cold start, P2 shared-layer overhead, P3 end to end, P4 memory, each against baselines
 * run side by side in the same run (candidates interleaved A B A B …), reported as medians, min–max and
 * ratios. Servers run on core 0, the load generator and the peers on core 1. Writes test-results/bench/bench-node<major>.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { SEND_MAIL_PATH } from '../../functions/send-mail/handler';
import { startEventReceiver } from '../support/event-receiver';
import {
  BENCH_DIR,
  buildBenchBundles,
  CANDIDATE_NODE,
  COMPILE_CACHE_DIR,
  load,
  median,
  ROOT,
  rssBytes,
  sendMailEnv,
  sendMailRequest,
  spawnPinned,
  startPeers,
  type LoadResult,
  type Peers,
} from './harness';

const RUNS = Number(process.env.BENCH_RUNS ?? '15');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const SECONDS = Number(process.env.BENCH_SECONDS ?? '5');
const P3_WARMUP = 500;
const STOCK_CLI = join(ROOT, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
const HELLO = ['--target=hello', `--source=${join(__dirname, 'fixtures', 'hello-framework.js')}`];

interface Row {
  readonly name: string;
  readonly unit: string;
  readonly ours: number[];
  readonly baseline: number[];
  readonly baselineName: string;
  readonly target: string;
  readonly better: 'lower' | 'higher';
  readonly limit: number;
}

async function p1(peers: Peers): Promise<{ rows: Row[]; breakdown: Record<string, number> }> {
  const ours: number[] = [];
  const keyed: number[] = [];
  const overHttp: number[] = [];
  // Issue 18: the same start with events POSTed to a CloudEvents sink (EVENT_TRANSPORT=http) instead of Kafka.
  const sink = await startEventReceiver();
  const stock: number[] = [];
  const bare: number[] = [];
  const phases: Record<string, number[]> = {
    modules_loaded_ms: [],
    config_loaded_ms: [],
    listening_ms: [],
    first_request_ms: [],
  };
  // Run -1 is a warm-up, not counted: it fills the compile cache (when set) and the page cache alike for all.
  for (let run = -1; run < RUNS; run += 1) {
    const counted = run >= 0;
    const token = await peers.token();
    const a = await spawnPinned([join(ROOT, 'dist', 'send-mail', 'main.js')], sendMailEnv(peers, true), {
      path: SEND_MAIL_PATH,
      init: sendMailRequest(token),
    });
    if (counted) ours.push(a.firstAnswerMs);
    const startup =
      (
        JSON.parse(
          a
            .stdout()
            .split('\n')
            .find((line) => line.includes('listening')) ?? '{}',
        ) as { startup?: Record<string, number> }
      ).startup ?? {};
    if (counted) {
      for (const key of ['modules_loaded_ms', 'config_loaded_ms', 'listening_ms'])
        phases[key]?.push(startup[key] ?? Number.NaN);
      phases.first_request_ms?.push(a.firstAnswerMs - (startup.listening_ms ?? 0));
    }
    await a.stop();
    // The same start with Idempotency-Key on (keys in Redis) and a key on the first request.
    const k = await spawnPinned([join(ROOT, 'dist', 'send-mail', 'main.js')], sendMailEnv(peers, true, true), {
      path: SEND_MAIL_PATH,
      init: sendMailRequest(token, `bench-cold-${run}-${Date.now()}`),
    });
    if (counted) keyed.push(k.firstAnswerMs);
    await k.stop();
    const h = await spawnPinned(
      [join(ROOT, 'dist', 'send-mail', 'main.js')],
      { ...sendMailEnv(peers, true), EVENT_TRANSPORT: 'http', K_SINK: sink.url },
      { path: SEND_MAIL_PATH, init: sendMailRequest(token) },
    );
    if (counted) overHttp.push(h.firstAnswerMs);
    await h.stop();
    const b = await spawnPinned([STOCK_CLI, ...HELLO], {});
    if (counted) stock.push(b.firstAnswerMs);
    await b.stop();
    const c = await spawnPinned([join(__dirname, 'fixtures', 'hello-bare.js')], {});
    if (counted) bare.push(c.firstAnswerMs);
    await c.stop();
  }
  await sink.stop();
  const breakdown = Object.fromEntries(
    Object.entries(phases).map(([key, values]) => [key, Math.round(median(values))]),
  );
  return {
    rows: [
      {
        name: 'P1 cold start → first authenticated 200 (mail + event acked)',
        unit: 'ms',
        ours,
        baseline: stock,
        baselineName: 'stock CLI hello world',
        target: '≤ 0.9×',
        better: 'lower',
        limit: 0.9,
      },
      {
        name: 'P1 cold start with an Idempotency-Key (keys in Redis)',
        unit: 'ms',
        ours: keyed,
        baseline: ours,
        baselineName: 'the same without a key',
        target: '—',
        better: 'lower',
        limit: Number.POSITIVE_INFINITY,
      },
      {
        name: 'P1 cold start, events over HTTP to K_SINK (EVENT_TRANSPORT=http)',
        unit: 'ms',
        ours: overHttp,
        baseline: ours,
        baselineName: 'the same in kafka mode',
        target: '—',
        better: 'lower',
        limit: Number.POSITIVE_INFINITY,
      },
      {
        name: 'P1 cold start (reference)',
        unit: 'ms',
        ours,
        baseline: bare,
        baselineName: 'bare node:http',
        target: '—',
        better: 'lower',
        limit: Number.POSITIVE_INFINITY,
      },
    ],
    breakdown,
  };
}

async function p2p4(peers: Peers): Promise<Row[]> {
  const oursRps: number[] = [];
  const uncachedRps: number[] = [];
  const stockRps: number[] = [];
  const oursRss: number[] = [];
  const stockRss: number[] = [];
  const token = await peers.token();
  for (let round = 0; round < ROUNDS; round += 1) {
    const a = await spawnPinned([join(BENCH_DIR, 'send-mail-noop.js')], sendMailEnv(peers, false), {
      path: SEND_MAIL_PATH,
      init: sendMailRequest(token),
    });
    oursRps.push(
      checked(
        await load(`${a.url}${SEND_MAIL_PATH}`, {
          connections: 50,
          duration: SECONDS,
          request: sendMailRequest(token),
        }),
      ).rps,
    );
    // RSS after the same 20k requests in every round: one reading is too much at the garbage collector's mercy.
    checked(
      await load(`${a.url}${SEND_MAIL_PATH}`, { connections: 50, amount: 20_000, request: sendMailRequest(token) }),
    );
    oursRss.push(rssBytes(a.process.pid ?? 0));
    await a.stop();
    // The same with every signature checked (no verified-token cache): what a client minting a token per request costs.
    const u = await spawnPinned(
      [join(BENCH_DIR, 'send-mail-noop.js')],
      { ...sendMailEnv(peers, false), AUTH_TOKEN_CACHE_SECONDS: '0' },
      { path: SEND_MAIL_PATH, init: sendMailRequest(token) },
    );
    uncachedRps.push(
      checked(
        await load(`${u.url}${SEND_MAIL_PATH}`, {
          connections: 50,
          duration: SECONDS,
          request: sendMailRequest(token),
        }),
      ).rps,
    );
    await u.stop();
    const b = await spawnPinned([STOCK_CLI, ...HELLO], {});
    stockRps.push(checked(await load(b.url, { connections: 50, duration: SECONDS })).rps);
    checked(await load(b.url, { connections: 50, amount: 20_000 }));
    stockRss.push(rssBytes(b.process.pid ?? 0));
    await b.stop();
  }
  return [
    {
      name: 'P2 shared layer, RS256 auth, no-op delivery, 50 connections',
      unit: 'req/s',
      ours: oursRps,
      baseline: stockRps,
      baselineName: 'stock CLI hello world',
      target: '≥ 0.85×',
      better: 'higher',
      limit: 0.85,
    },
    {
      name: 'P2 with every signature checked (AUTH_TOKEN_CACHE_SECONDS=0, reference)',
      unit: 'req/s',
      ours: uncachedRps,
      baseline: stockRps,
      baselineName: 'stock CLI hello world',
      target: '—',
      better: 'higher',
      limit: Number.NEGATIVE_INFINITY,
    },
    {
      name: 'P4 RSS after 20k requests (after the throughput run)',
      unit: 'MiB',
      ours: oursRss.map(mib),
      baseline: stockRss.map(mib),
      baselineName: 'stock CLI hello world',
      target: '≤ 1.15×',
      better: 'lower',
      limit: 1.15,
    },
  ];
}

async function p3(peers: Peers): Promise<Row[]> {
  const ours: LoadResult[] = [];
  const keyed: LoadResult[] = [];
  const raw: { rps: number; p50: number; p99: number }[] = [];
  const token = await peers.token();
  for (let round = 0; round < ROUNDS; round += 1) {
    const a = await spawnPinned([join(ROOT, 'dist', 'send-mail', 'main.js')], sendMailEnv(peers, true), {
      path: SEND_MAIL_PATH,
      init: sendMailRequest(token),
    });
    // Both sides warm up on the same number of messages first (pool connections, compiled code), uncounted.
    checked(
      await load(`${a.url}${SEND_MAIL_PATH}`, { connections: 50, amount: P3_WARMUP, request: sendMailRequest(token) }),
    );
    ours.push(
      checked(
        await load(`${a.url}${SEND_MAIL_PATH}`, {
          connections: 50,
          duration: SECONDS,
          request: sendMailRequest(token),
        }),
      ),
    );
    await a.stop();
    // The same with a fresh Idempotency-Key on every request (claim + stored answer in Redis each).
    const k = await spawnPinned([join(ROOT, 'dist', 'send-mail', 'main.js')], sendMailEnv(peers, true, true), {
      path: SEND_MAIL_PATH,
      init: sendMailRequest(token, `bench-p3-first-${round}-${Date.now()}`),
    });
    const keyedRequest = { connections: 50, request: sendMailRequest(token), keyed: true };
    checked(await load(`${k.url}${SEND_MAIL_PATH}`, { ...keyedRequest, amount: P3_WARMUP }));
    keyed.push(checked(await load(`${k.url}${SEND_MAIL_PATH}`, { ...keyedRequest, duration: SECONDS })));
    await k.stop();
    // The baseline sends at least 2000 messages, so its run is not too short to be a rate.
    const messages = Math.max(2000, Math.round(median(ours.map((r) => r.rps)) * SECONDS));
    const output = execFileSync(
      'taskset',
      [
        '-c',
        '0',
        CANDIDATE_NODE,
        join(BENCH_DIR, 'raw-nodemailer.js'),
        peers.smtpUrl,
        String(messages),
        '50',
        String(P3_WARMUP),
      ],
      { encoding: 'utf8' },
    );
    raw.push(JSON.parse(output) as { rps: number; p50: number; p99: number });
  }
  return [
    {
      name: 'P3 end to end, real SMTP + mock broker, 50 connections',
      unit: 'req/s',
      ours: ours.map((r) => r.rps),
      baseline: raw.map((r) => r.rps),
      baselineName: 'raw nodemailer pool',
      target: '≥ 0.8×',
      better: 'higher',
      limit: 0.8,
    },
    {
      name: 'P3 end to end with an Idempotency-Key on every request (keys in Redis)',
      unit: 'req/s',
      ours: keyed.map((r) => r.rps),
      baseline: ours.map((r) => r.rps),
      baselineName: 'the same without a key',
      target: '—',
      better: 'higher',
      limit: Number.POSITIVE_INFINITY,
    },
    {
      name: 'P3 p99 latency with an Idempotency-Key',
      unit: 'ms',
      ours: keyed.map((r) => r.p99),
      baseline: ours.map((r) => r.p99),
      baselineName: 'the same without a key',
      target: '—',
      better: 'lower',
      limit: Number.POSITIVE_INFINITY,
    },
    {
      name: 'P3 p99 latency',
      unit: 'ms',
      ours: ours.map((r) => r.p99),
      baseline: raw.map((r) => r.p99),
      baselineName: 'raw nodemailer pool',
      target: '≤ 2×',
      better: 'lower',
      limit: 2,
    },
    {
      name: 'P3 p50 latency (reference)',
      unit: 'ms',
      ours: ours.map((r) => r.p50),
      baseline: raw.map((r) => r.p50),
      baselineName: 'raw nodemailer pool',
      target: '—',
      better: 'lower',
      limit: Number.POSITIVE_INFINITY,
    },
  ];
}

function checked(result: LoadResult): LoadResult {
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`load run had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return result;
}

const mib = (bytes: number): number => bytes / 1024 / 1024;
const fmt = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

function table(rows: Row[]): string {
  const lines = [
    '| Measure | Ours (median, min–max) | Baseline (median, min–max) | Ratio | Target | Met |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const ratio = median(row.ours) / median(row.baseline);
    const met = !Number.isFinite(row.limit)
      ? '—'
      : (row.better === 'lower' ? ratio <= row.limit : ratio >= row.limit)
        ? 'yes'
        : 'no';
    const span = (values: number[]): string =>
      `${fmt(median(values))} ${row.unit} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
    lines.push(
      `| ${row.name} | ${span(row.ours)} | ${row.baselineName}: ${span(row.baseline)} | ${ratio.toFixed(2)}× | ${row.target} | ${met} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  await buildBenchBundles();
  if (COMPILE_CACHE_DIR) rmSync(COMPILE_CACHE_DIR, { recursive: true, force: true });
  const node = execFileSync(CANDIDATE_NODE, ['--version'], { encoding: 'utf8' }).trim();
  process.stdout.write(`candidates run on Node ${node}${COMPILE_CACHE_DIR ? ', with a compile cache' : ''}\n`);
  const peers = await startPeers();
  try {
    const cold = await p1(peers);
    const rows = [...cold.rows, ...(await p2p4(peers)), ...(await p3(peers))];
    const output = `Node ${node}${COMPILE_CACHE_DIR ? ' with NODE_COMPILE_CACHE' : ''}\n\n${table(rows)}\n\nP1 breakdown of our cold start (medians, ms since process start): ${JSON.stringify(cold.breakdown)}\n`;
    process.stdout.write(`\n${output}`);
    // Beside, not among, the test reports CI sums up; one file per runtime.
    const dir = join(ROOT, 'test-results', 'bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `bench-node${node.replace(/^v/, '').split('.')[0]}${COMPILE_CACHE_DIR ? '-compile-cache' : ''}.json`),
      `${JSON.stringify({ runs: RUNS, rounds: ROUNDS, seconds: SECONDS, node, compileCache: COMPILE_CACHE_DIR !== undefined, rows, breakdown: cold.breakdown }, null, 2)}\n`,
    );
  } finally {
    await peers.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
