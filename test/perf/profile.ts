/**
 * `make profile`: CPU profiles of send-mail's cold start (events on, real peers) beside the minimal
 * mailer's, and of the full shared layer (no-op delivery) under load beside the minimal mailer under the
 * same load (real SMTP and broker), summarised as self time per package, so a missed target names what
 * limits it.
 */
import { build } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SEND_MAIL_BATCH_PATH, SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import {
  BENCH_DIR,
  CANDIDATE_PROCESS_ENV,
  limitedCommand,
  CANDIDATE_NODE,
  kafkajsTimerPatch,
  load,
  MAIL_BODY,
  ROOT,
  sendMailEnv,
  sendMailRequest,
  SERVER_CORE,
  startPeers,
} from './harness';
import { freePort } from '../support/processes';
import { measureRedaction } from './redaction';

/** While working on one target: PROFILE_ONLY=throughput,end-to-end,batch (default all). */
const ONLY = (process.env.PROFILE_ONLY ?? '').split(',').filter(Boolean);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which bundled module each line of the unminified bundle belongs to, from esbuild's `// path` comments. */
function moduleLines(bundle: string): { line: number; module: string }[] {
  const marks: { line: number; module: string }[] = [];
  bundle.split('\n').forEach((text, index) => {
    const match = /^\/\/ (\S+\.(?:[cm]?js|ts|json))$/.exec(text);
    if (match?.[1]) marks.push({ line: index, module: packageOf(match[1]) });
  });
  return marks;
}

function packageOf(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm === -1) return path.split('/').slice(0, 2).join('/');
  const rest = path.slice(nm + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
}

function summarise(
  profile: CpuProfile,
  bundlePath: string,
  marks: { line: number; module: string }[],
): [string, number, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const { url, lineNumber, functionName } = node.callFrame;
    let key =
      url === ''
        ? `(${functionName || 'program'})`
        : url.replace(/^file:\/\//, '').startsWith('node:') || !url.includes(bundlePath)
          ? `node internals`
          : 'bundle';
    if (key === 'bundle') key = [...marks].reverse().find((mark) => mark.line <= lineNumber)?.module ?? 'bundle';
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([key, ms]) => [key, Math.round((ms / total) * 1000) / 10, ms]);
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Resolves once the bundle answers anything (its port is open). */
async function profileRun(
  label: string,
  bundle: string,
  env: Record<string, string>,
  drive: (url: string) => Promise<number | void>,
  ready: (url: string) => Promise<void>,
): Promise<void> {
  const dir = join(ROOT, 'test-results', `profile-${label}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // As in make bench (and the image): a compile cache, filled by an uncounted start of the same bundle
  // (Node writes it when the process exits).
  const cache = { NODE_COMPILE_CACHE: join(BENCH_DIR, 'profile-compile-cache') };
  const spawnBundle = async (flags: string[]): Promise<{ child: ChildProcess; url: string }> => {
    const port = await freePort();
    const { command, cgroup } = limitedCommand(['taskset', '-c', SERVER_CORE, CANDIDATE_NODE, ...flags, bundle]);
    const child = spawn(command[0] ?? 'taskset', command.slice(1), {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), ...cache, ...CANDIDATE_PROCESS_ENV, ...env },
      stdio: 'ignore',
    });
    child.once('exit', () => cgroup?.remove());
    return { child, url: `http://127.0.0.1:${port}` };
  };
  const warm = await spawnBundle([]);
  // The warm-up start answers one mail: the minimal mailer serves nothing else (no /livez).
  await ready(warm.url);
  await stopped(warm.child);
  const { child, url } = await spawnBundle(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const requests = await drive(url);
  await stopped(child);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file ?? ''), 'utf8')) as CpuProfile;
  // Under load, µs per request too: percentages of two candidates' profiles do not compare, time per mail does.
  const perRequest = typeof requests === 'number' && requests > 0 ? requests : undefined;
  process.stdout.write(
    `\n${label}: self time by package (% of samples${perRequest ? ', µs per request' : ''}; profile in ${dir})\n`,
  );
  for (const [key, pct, ms] of summarise(profile, bundle, moduleLines(readFileSync(bundle, 'utf8'))))
    process.stdout.write(
      `  ${pct.toFixed(1).padStart(5)} %${perRequest ? `  ${((ms * 1000) / perRequest).toFixed(0).padStart(5)} µs` : ''}  ${key}\n`,
    );
}

async function main(): Promise<void> {
  const bundles = {
    ours: join(BENCH_DIR, 'profile-send-mail.js'),
    noop: join(BENCH_DIR, 'profile-send-mail-noop.js'),
    minimal: join(BENCH_DIR, 'profile-minimal-mailer.js'),
  };
  const entries: [string, string][] = [
    [join(ROOT, 'functions', 'send-mail', 'main.ts'), bundles.ours],
    [join(__dirname, 'fixtures', 'send-mail-noop.ts'), bundles.noop],
    [join(__dirname, 'fixtures', 'minimal-mailer.ts'), bundles.minimal],
  ];
  for (const [entry, outfile] of entries)
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      external: ['swagger-ui-dist'],
      logLevel: 'warning',
      plugins: [kafkajsTimerPatch],
    });
  const peers = await startPeers();
  try {
    const request = sendMailRequest(await peers.token());
    const until200 = async (url: string): Promise<void> => {
      for (let tries = 0; tries < 5000; tries += 1) {
        try {
          const answer = await fetch(`${url}${SEND_MAIL_PATH}`, request);
          await answer.arrayBuffer();
          if (answer.status === 200) return;
          throw new Error(`${url} answered ${answer.status}`);
        } catch (err) {
          if (err instanceof Error && err.message.includes('answered')) throw err;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
      throw new Error(`${url} did not answer within 10 s`);
    };
    const underLoad = async (url: string): Promise<number> => {
      await until200(url);
      const result = await load(`${url}${SEND_MAIL_PATH}`, { connections: 50, duration: 5, request });
      process.stdout.write(`\n(under the profiler: ${Math.round(result.rps)} req/s, ${result.requests} requests)`);
      return result.requests;
    };
    // Issue 30: the batch route, 100 mails a request, at P5-batch's 10 connections.
    const batch: RequestInit = {
      ...request,
      body: JSON.stringify({ messages: Array.from({ length: 100 }, () => JSON.parse(MAIL_BODY) as unknown) }),
    };
    const batchLoad = async (url: string): Promise<void> => {
      await until200(url);
      const result = await load(`${url}${SEND_MAIL_BATCH_PATH}`, { connections: 10, duration: 5, request: batch });
      process.stdout.write(`\n(under the profiler: ${Math.round(result.rps * 100)} mails/s in batches of 100)`);
    };
    const runs: [string, string, Record<string, string>, (url: string) => Promise<number | void>][] = [
      ['cold-start', bundles.ours, sendMailEnv(peers, true), until200],
      ['minimal-cold-start', bundles.minimal, sendMailEnv(peers, true), until200],
      ['throughput', bundles.noop, sendMailEnv(peers, false), underLoad],
      ['end-to-end', bundles.ours, sendMailEnv(peers, true), underLoad],
      ['end-to-end-events-off', bundles.ours, sendMailEnv(peers, false), underLoad],
      ['minimal-end-to-end', bundles.minimal, sendMailEnv(peers, true), underLoad],
      ['batch', bundles.ours, sendMailEnv(peers, true), batchLoad],
    ];
    for (const [label, bundle, env, drive] of runs)
      if (ONLY.length === 0 || ONLY.includes(label)) await profileRun(label, bundle, env, drive, until200);
    const rates = measureRedaction();
    process.stdout.write(
      `\nECS access lines per second (median of 5 rounds, this process): pino path redaction ${rates.pino}, key scan ${rates.scan}, none ${rates.none}\n`,
    );
  } finally {
    await peers.stop();
  }
}

void main();
