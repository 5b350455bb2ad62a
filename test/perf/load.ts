/**
 * `make load` / `make soak` / the smoke inside `make test`: send-mail with real peers (SMTP sink process,
 * Kafka mock, RS256 via JWKS) under 50 connections. Fails on any non-2xx or error; `make load` also on a
 * p99 over LOAD_P99_MS, `make soak` on RSS (median of each minute) growing 3 % or more from the first to the last minute.
 * The smoke asserts zero errors only: CI machines are too noisy for latency limits.
 */
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { join } from 'node:path';
import {
  buildBenchBundles,
  candidateEnvironment,
  load,
  median,
  ROOT,
  rssBytes,
  sendMailEnv,
  sendMailRequest,
  spawnPinned,
  startPeers,
} from './harness';

const MODE = process.argv[2] ?? 'load';
const DURATION = Number(process.env.LOAD_SECONDS ?? (MODE === 'smoke' ? '10' : MODE === 'soak' ? '300' : '60'));
const P99_LIMIT_MS = Number(process.env.LOAD_P99_MS ?? '1000');

async function main(): Promise<void> {
  await buildBenchBundles();
  process.stdout.write(`${MODE}: send-mail on Node ${process.version}, ${candidateEnvironment()}\n`);
  const peers = await startPeers();
  const fn = await spawnPinned([join(ROOT, 'dist', 'send-mail', 'main.js')], sendMailEnv(peers, true), {
    path: '/readyz',
  });
  const problems: string[] = [];
  try {
    const request = sendMailRequest(await peers.token());
    const url = `${fn.url}${SEND_MAIL_PATH}`;
    if (MODE === 'soak') {
      // One RSS reading is wherever the garbage collector happens to be; the median of a reading every
      // 2 s is the minute's level, and the V8 heap's floor (its minimum) rises only if objects leak.
      const minutes: { rss: number; heapFloor: number }[] = [];
      for (let elapsed = 0; elapsed < DURATION; elapsed += 60) {
        const rss: number[] = [];
        const heap: number[] = [];
        const sampler = setInterval(() => {
          rss.push(rssBytes(fn.process.pid ?? 0));
          heapUsedBytes(fn.url).then(
            (bytes) => heap.push(bytes),
            () => undefined,
          );
        }, 2000);
        const result = await load(url, { connections: 50, duration: Math.min(60, DURATION - elapsed), request });
        clearInterval(sampler);
        if (result.non2xx > 0 || result.errors > 0)
          problems.push(`minute ${elapsed / 60 + 1}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        minutes.push({ rss: median(rss), heapFloor: Math.min(...heap) });
        process.stdout.write(
          `minute ${elapsed / 60 + 1}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, RSS median ${mib(median(rss))} MiB (${mib(Math.min(...rss))}–${mib(Math.max(...rss))}), V8 heap used floor ${mib(Math.min(...heap))} MiB\n`,
        );
      }
      const first = minutes[0] ?? { rss: 1, heapFloor: 1 };
      const last = minutes.at(-1) ?? first;
      const growth = (last.rss - first.rss) / first.rss;
      process.stdout.write(
        `RSS growth first → last minute (medians): ${(growth * 100).toFixed(1)} %; V8 heap floor ${mib(first.heapFloor)} → ${mib(last.heapFloor)} MiB\n`,
      );
      if (growth >= 0.03) problems.push(`RSS grew ${(growth * 100).toFixed(1)} % (limit 3 %)`);
    } else {
      const result = await load(url, { connections: 50, duration: DURATION, request });
      process.stdout.write(
        `${MODE}: ${result.requests} requests, ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.non2xx} non-2xx, ${result.errors} errors\n`,
      );
      if (result.requests === 0) problems.push('no request was answered');
      if (result.non2xx > 0 || result.errors > 0)
        problems.push(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
      if (MODE === 'load' && result.p99 > P99_LIMIT_MS)
        problems.push(`p99 ${result.p99} ms over the ${P99_LIMIT_MS} ms threshold`);
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
