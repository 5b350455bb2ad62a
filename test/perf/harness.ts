/**
 * Shared pieces of the benchmarks and load tests: bench bundles, child processes pinned to a core, the
 * real peers (SMTP sink process, Kafka mock, JWKS over HTTP), and statistics.
 */
import autocannon from 'autocannon';
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';
import { signingKey, startJwksServer, type JwksServer, type SigningKey } from '../support/jwks-server';
import { freePort } from '../support/processes';
import { startRedisServer } from '../support/redis-server';
import { KAFKAJS_TIMER_FILE, patchKafkajsTimer } from '../../scripts/kafkajs-timer-patch.js';
import { startEventReceiver } from '../support/event-receiver';
import { startMigratedPostgres } from '../support/postgres';
import { imageAllocatorEnv } from '../support/image';
import { memoryCgroup, podSettings, quantityBytes, type MemoryCgroup } from '../support/pod';

export const ROOT = join(__dirname, '..', '..');
export const BENCH_DIR = join(ROOT, 'dist-bench');
export const SERVER_CORE = '0';
/**
 * The Node that runs the candidates (servers and the minimal mailer): this one, or BENCH_NODE (make bench-node24
 * points it at the container's Node 24). With BENCH_COMPILE_CACHE, every candidate gets the same
 * NODE_COMPILE_CACHE directory, filled before measuring, as the image's is.
 */
export const CANDIDATE_NODE = process.env.BENCH_NODE ?? process.execPath;
export const COMPILE_CACHE_DIR = process.env.BENCH_COMPILE_CACHE
  ? join(ROOT, 'dist-bench', 'compile-cache')
  : undefined;
/** send-mail's production pod, rendered once: its memory limit and NODE_OPTIONS. */
const POD = podSettings('knative/overlays/production', 'send-mail');

/** send-mail's containerConcurrency in production: the most requests one instance takes at once. */
export function podContainerConcurrency(): number {
  if (POD.containerConcurrency === undefined) throw new Error('send-mail has no containerConcurrency in production');
  return POD.containerConcurrency;
}

/**
 * Every candidate, ours and the baselines alike, runs as send-mail runs in its production pod: with the
 * image's allocator (the Dockerfile's LD_PRELOAD) and the Service's NODE_OPTIONS. BENCH_ALLOCATOR=glibc
 * leaves the allocator out; BENCH_NODE_OPTIONS replaces NODE_OPTIONS (empty: none).
 */
function candidateProcessEnv(): Record<string, string> {
  const { LD_PRELOAD } = imageAllocatorEnv();
  const options = process.env.BENCH_NODE_OPTIONS ?? POD.nodeOptions ?? '';
  return {
    ...(LD_PRELOAD && process.env.BENCH_ALLOCATOR !== 'glibc' ? { LD_PRELOAD } : {}),
    ...(options ? { NODE_OPTIONS: options } : {}),
  };
}
export const CANDIDATE_PROCESS_ENV = candidateProcessEnv();
export const CANDIDATE_ALLOCATOR = CANDIDATE_PROCESS_ENV.LD_PRELOAD ?? "glibc's malloc";

let memoryLimit: { quantity?: string; unavailable?: string } | undefined;
/**
 * Every candidate runs under send-mail's production memory limit, each in a cgroup of its own: V8 sizes
 * its heap from that limit, so memory grows as in the pod, not as on this machine. BENCH_MEMORY_LIMIT
 * overrides the quantity (`none`: no limit).
 */
export function candidateMemoryLimit(): { quantity?: string; unavailable?: string } {
  if (memoryLimit) return memoryLimit;
  const quantity = process.env.BENCH_MEMORY_LIMIT ?? POD.memoryLimit;
  if (quantity === 'none') return (memoryLimit = { unavailable: 'BENCH_MEMORY_LIMIT=none' });
  const probe = memoryCgroup(quantityBytes(quantity));
  if (probe instanceof Error) return (memoryLimit = { unavailable: `no cgroup here (${probe.message})` });
  probe.remove();
  return (memoryLimit = { quantity });
}

/** How the candidates ran, for the reports' first line. */
export function candidateEnvironment(): string {
  const limit = candidateMemoryLimit();
  return `allocator ${CANDIDATE_ALLOCATOR}, NODE_OPTIONS ${CANDIDATE_PROCESS_ENV.NODE_OPTIONS ?? 'none'}, memory limit ${limit.quantity ?? `none: ${limit.unavailable}`}`;
}

/** `command` run in a fresh cgroup under the candidates' memory limit, when there is one. */
export function limitedCommand(command: string[]): { command: string[]; cgroup?: MemoryCgroup } {
  const { quantity } = candidateMemoryLimit();
  const cgroup = quantity ? memoryCgroup(quantityBytes(quantity)) : undefined;
  if (!cgroup || cgroup instanceof Error) return { command };
  return { command: cgroup.wrap(command), cgroup };
}
const OUTPUT_KEPT_CHARS = 256 * 1024;
const ROLES_CLAIM = 'https://github.com/StephanHCB/go-campaign-service/roles';

/** The kafkajs timer patch the production build applies (scripts/build.ts), so the bench bundles run the same kafkajs. */
export const kafkajsTimerPatch: Plugin = {
  name: 'kafkajs-negative-timer',
  setup(esbuild) {
    esbuild.onLoad({ filter: KAFKAJS_TIMER_FILE }, async ({ path }) => ({
      contents: patchKafkajsTimer(await readFile(path, 'utf8'), path),
      loader: 'js',
    }));
  },
};

export async function buildBenchBundles(): Promise<void> {
  await build({
    plugins: [kafkajsTimerPatch],
    entryPoints: ['send-mail-noop.ts', 'minimal-mailer.ts', 'smtp-sink.ts', 'feedback-parse.ts'].map((file) =>
      join(__dirname, 'fixtures', file),
    ),
    outdir: BENCH_DIR,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    external: ['swagger-ui-dist'],
    logLevel: 'warning',
  });
}

export interface Child {
  readonly process: ChildProcess;
  readonly url: string;
  readonly port: number;
  stdout(): string;
  stop(): Promise<void>;
}

/** Spawns `node <args>` pinned to the server core; resolves once it answers `probePath`. */
export async function spawnPinned(
  args: string[],
  env: Record<string, string>,
  probe: { path: string; init?: RequestInit } = { path: '/' },
): Promise<Child & { firstAnswerMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const { command, cgroup } = limitedCommand(['taskset', '-c', SERVER_CORE, CANDIDATE_NODE, ...args]);
  const child = spawn(command[0] ?? 'taskset', command.slice(1), {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      ...(COMPILE_CACHE_DIR ? { NODE_COMPILE_CACHE: COMPILE_CACHE_DIR } : {}),
      ...CANDIDATE_PROCESS_ENV,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('exit', () => cgroup?.remove());
  // The start-up lines and any error are at the beginning; keeping every request's log line would make
  // the harness (on the load generator's core) work harder the longer a run lasts.
  let out = '';
  const keep = (chunk: Buffer): void => {
    if (out.length < OUTPUT_KEPT_CHARS) out += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: ${out}`);
    try {
      const response = await fetch(`${url}${probe.path}`, probe.init);
      await response.arrayBuffer();
      // 200 for a send, 202 for a report taken, 204 for an event recorded.
      if (response.ok) break;
      throw new Error(`${args.join(' ')} answered ${response.status}: ${out}`);
    } catch (err) {
      if (err instanceof Error && err.message.includes('answered')) throw err;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  const firstAnswerMs = performance.now() - started;
  return {
    process: child,
    url,
    port,
    firstAnswerMs,
    stdout: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Peers {
  readonly smtpUrl: string;
  /** A real redis-server for the keyed runs (Idempotency-Key). */
  readonly redisUrl: string;
  /** A CloudEvents HTTP receiver, the K_SINK of the EVENT_TRANSPORT=http runs. */
  readonly sinkUrl: string;
  /**
   * A real PostgreSQL, migrated, with 10,000 suppressions: send-mail's login (a member of mailer_send_mail)
   * for the suppression-check runs, and the owner's, for the recorder's.
   */
  readonly postgres: { readonly sendMailUrl: string; readonly recorderUrl: string; readonly ownerUrl: string };
  readonly kafka: KafkaMock;
  readonly idp: JwksServer;
  readonly key: SigningKey;
  /** The peer processes a mail's path goes through (SMTP sink, Kafka mock): their CPU is counted apart. */
  readonly pids: readonly number[];
  /** An RS256 token of the IdP; `roles`: admin unless named. */
  token(roles?: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startPeers(): Promise<Peers> {
  const sink = spawn(process.execPath, [join(BENCH_DIR, 'smtp-sink.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const smtpPort = await new Promise<number>((resolve) =>
    sink.stdout?.once('data', (chunk: Buffer) => resolve(Number(/PORT (\d+)/.exec(chunk.toString())?.[1]))),
  );
  const kafka = await startKafkaMock();
  await kafka.createTopic('mailer.email-sent.v1', 1);
  await kafka.createTopic('mailer.email-feedback.v1', 1);
  const key = await signingKey('RS256', 'bench-1');
  const idp = await startJwksServer([key.publicJwk]);
  const redis = await startRedisServer();
  const eventSink = await startEventReceiver();
  const postgres = await startMigratedPostgres({
    bench_send_mail: 'mailer_send_mail',
    bench_recorder: 'mailer_recorder',
  });
  const db = await postgres.connect();
  try {
    await db.query(
      "INSERT INTO suppression (address, reason) SELECT 'gone-' || i || '@example.org', 'hard_bounce' FROM generate_series(1, 10000) AS i",
    );
  } finally {
    await db.close();
  }
  return {
    postgres: {
      sendMailUrl: postgres.urlFor('bench_send_mail'),
      recorderUrl: postgres.urlFor('bench_recorder'),
      ownerUrl: postgres.url,
    },
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    redisUrl: redis.url,
    sinkUrl: eventSink.url,
    kafka,
    idp,
    key,
    pids: [sink.pid ?? 0, kafka.pid],
    token: (roles = ['admin']) =>
      new SignJWT({ [ROLES_CLAIM]: [...roles] })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(idp.issuer)
        .setExpirationTime('2h')
        .sign(key.privateKey),
    stop: async () => {
      sink.kill('SIGTERM');
      await eventSink.stop();
      await postgres.stop();
      await kafka.stop();
      await idp.stop();
      await redis.stop();
    },
  };
}

/** The environment of a send-mail under test, wired to the peers; `keyed`: Idempotency-Key on, keys in Redis. */
export function sendMailEnv(peers: Peers, events: boolean, keyed = false): Record<string, string> {
  return {
    ...(keyed ? { FEATURE_IDEMPOTENCY: 'true', IDEMPOTENCY_REDIS_URL: peers.redisUrl } : {}),
    ENVIRONMENT: 'dev',
    SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
    // As in production: one ECS line per request.
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'ecs',
    SMTP_URL: peers.smtpUrl,
    MAIL_FROM: 'mailer@example.com',
    AUTH_ISSUER: peers.idp.issuer,
    FEATURE_EMAIL_SENT_EVENT: String(events),
    KAFKA_BROKERS: peers.kafka.bootstrap,
  };
}

/** The VERP settings the bench's feedback reads bounces with. */
export const BENCH_VERP = {
  BOUNCE_DOMAIN: 'bounces.example.com',
  BOUNCE_LOCAL_PART: 'bounces',
  BOUNCE_VERP_SECRET: 'bench-verp-secret-obviously-fake-0123456789',
} as const;

/** feedback wired to the peers as send-mail is: the IdP's tokens, its events to the Kafka mock. */
export function feedbackEnv(peers: Peers): Record<string, string> {
  return {
    ENVIRONMENT: 'dev',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'ecs',
    AUTH_ISSUER: peers.idp.issuer,
    KAFKA_BROKERS: peers.kafka.bootstrap,
    ...BENCH_VERP,
  };
}

/** The recorder as P6 runs it: its own login role in the bench's PostgreSQL. */
export function recorderEnv(peers: Peers): Record<string, string> {
  return { ENVIRONMENT: 'dev', LOG_LEVEL: 'info', LOG_FORMAT: 'ecs', DATABASE_URL: peers.postgres.recorderUrl };
}

export const MAIL_BODY = JSON.stringify({
  to_address: 'demo@mailinator.com',
  subject: 'some subject',
  body: 'some mail body\nwith a second line\n',
});

/** `key`: an Idempotency-Key for this one request (the load runs give each request its own: `keyed`). */
export function sendMailRequest(token: string, key?: string): RequestInit {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
    },
    body: MAIL_BODY,
  };
}

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly requests: number;
}

export async function load(
  url: string,
  options: { connections: number; duration?: number; amount?: number; request?: RequestInit; keyed?: boolean },
): Promise<LoadResult> {
  const init = options.request;
  let sent = 0;
  const run = `${process.pid}-${Date.now()}`;
  const result = await autocannon({
    // A fresh Idempotency-Key on every request: each one is a first request (claim, send, store), never a replay.
    ...(options.keyed
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => {
                sent += 1;
                return { ...request, headers: { ...request.headers, 'Idempotency-Key': `bench-${run}-${sent}` } };
              },
            },
          ],
        }
      : {}),
    url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 5 }),
    ...(init
      ? { method: 'POST' as const, headers: init.headers as Record<string, string>, body: init.body as string }
      : {}),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
  };
}

/** CPU time (user + system) the process has used so far, in ms: /proc/<pid>/stat, in clock ticks of 10 ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces), counted from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The process's peak resident set since start, or since the last reset (resetPeakRss). */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Resets the process's peak resident set to its current one (Linux: `5` into clear_refs). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
