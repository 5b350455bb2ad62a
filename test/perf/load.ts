/**
 * `make load` / `make soak` / the smoke inside `make test`: send-mail with real peers (SMTP sink process,
 * Kafka mock, RS256 via JWKS) under 50 connections. Fails on any non-2xx or error; `make load` also on a
 * p99 over LOAD_P99_MS, `make soak` on RSS growing more than 5 % from the first to the last minute.
 * The smoke asserts zero errors only: CI machines are too noisy for latency limits.
 */
import { SEND_MAIL_PATH } from '../../functions/send-mail/handler';
import { join } from 'node:path';
import { buildBenchBundles, load, ROOT, rssBytes, sendMailEnv, sendMailRequest, spawnPinned, startPeers } from './harness';

const MODE = process.argv[2] ?? 'load';
const DURATION = Number(process.env.LOAD_SECONDS ?? (MODE === 'smoke' ? '10' : MODE === 'soak' ? '300' : '60'));
const P99_LIMIT_MS = Number(process.env.LOAD_P99_MS ?? '1000');

async function main(): Promise<void> {
  await buildBenchBundles();
  const peers = await startPeers();
  const fn = await spawnPinned([join(ROOT, 'dist', 'send-mail', 'main.js')], sendMailEnv(peers, true), { path: '/readyz' });
  const problems: string[] = [];
  try {
    const request = sendMailRequest(await peers.token());
    const url = `${fn.url}${SEND_MAIL_PATH}`;
    if (MODE === 'soak') {
      const samples: number[] = [];
      for (let elapsed = 0; elapsed < DURATION; elapsed += 60) {
        const result = await load(url, { connections: 50, duration: Math.min(60, DURATION - elapsed), request });
        if (result.non2xx > 0 || result.errors > 0) problems.push(`minute ${elapsed / 60 + 1}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        samples.push(rssBytes(fn.process.pid ?? 0));
        // The V8 heap beside RSS tells a leak of objects from memory the allocator keeps.
        const heap = await heapUsedBytes(fn.url);
        process.stdout.write(`minute ${elapsed / 60 + 1}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, RSS ${mib(samples.at(-1) ?? 0)} MiB, V8 heap used ${mib(heap)} MiB\n`);
      }
      const growth = ((samples.at(-1) ?? 0) - (samples[0] ?? 0)) / (samples[0] ?? 1);
      process.stdout.write(`RSS growth first → last minute: ${(growth * 100).toFixed(1)} %\n`);
      if (growth >= 0.05) problems.push(`RSS grew ${(growth * 100).toFixed(1)} % (limit 5 %)`);
    } else {
      const result = await load(url, { connections: 50, duration: DURATION, request });
      process.stdout.write(`${MODE}: ${result.requests} requests, ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.non2xx} non-2xx, ${result.errors} errors\n`);
      if (result.requests === 0) problems.push('no request was answered');
      if (result.non2xx > 0 || result.errors > 0) problems.push(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
      if (MODE === 'load' && result.p99 > P99_LIMIT_MS) problems.push(`p99 ${result.p99} ms over the ${P99_LIMIT_MS} ms threshold`);
    }
  } finally {
    await fn.stop();
    await peers.stop();
  }
  if (problems.length > 0) {
    process.stderr.write(`${MODE} failed:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(`${MODE} passed\n`);
}

const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);

async function heapUsedBytes(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
