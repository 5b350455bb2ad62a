/**
 * `make load` / `make soak` / the smoke inside `make test`: send-mail with real peers (SMTP sink process,
 * Kafka mock, RS256 via JWKS) under 50 connections. Fails on any non-2xx or error; `make load` also on a
 * p99 over LOAD_P99_MS, `make soak` (10 minutes, soak.ts) on RSS (median of each minute) growing 2 % or more from minute 2 to the last.
 * The smoke asserts zero errors only: CI machines are too noisy for latency limits.
 */
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { join } from 'node:path';
import { mib, minuteLine, soak, SOAK_BASE_MINUTE, SOAK_GROWTH_LIMIT } from './soak';
import {
  buildBenchBundles,
  candidateEnvironment,
  load,
  ROOT,
  sendMailEnv,
  sendMailRequest,
  spawnPinned,
  startPeers,
} from './harness';

const MODE = process.argv[2] ?? 'load';
const DURATION = Number(process.env.LOAD_SECONDS ?? (MODE === 'smoke' ? '10' : MODE === 'soak' ? '600' : '60'));
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
      const result = await soak(fn, request, DURATION, (minute, line) =>
        process.stdout.write(minuteLine(minute, line)),
      );
      const base = result.minutes[SOAK_BASE_MINUTE - 1] ?? result.minutes[0];
      const last = result.minutes.at(-1);
      process.stdout.write(
        `RSS growth minute ${SOAK_BASE_MINUTE} → last minute (medians): ${(result.growth * 100).toFixed(1)} %; V8 heap floor ${mib(base?.heapFloor ?? 0)} → ${mib(last?.heapFloor ?? 0)} MiB\n`,
      );
      if (result.failures > 0) problems.push(`${result.failures} non-2xx answers or errors`);
      if (!(result.growth < SOAK_GROWTH_LIMIT))
        problems.push(`RSS grew ${(result.growth * 100).toFixed(1)} % (limit ${SOAK_GROWTH_LIMIT * 100} %)`);
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

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
