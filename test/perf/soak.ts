/**
 * The soak (issue 32's target: over 10 minutes, RSS grows less than 2 % after minute 2): send-mail under 50
 * connections, a reading every 2 s. One RSS reading is wherever the garbage collector happens to be; the
 * median of a minute's readings is its level, and the V8 heap's floor (its minimum) rises only if objects
 * leak. Minute 1 and 2 are warm-up (pools, caches, compiled code fill up): growth counts from minute 2.
 */
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { load, median, rssBytes, type Child } from './harness';

export interface SoakMinute {
  readonly rps: number;
  readonly p99: number;
  readonly failures: number;
  readonly rss: number;
  readonly rssMin: number;
  readonly rssMax: number;
  readonly heapFloor: number;
}

export interface SoakResult {
  readonly minutes: readonly SoakMinute[];
  /** From the median of minute 2 to the median of the last minute. */
  readonly growth: number;
  readonly failures: number;
}

export const SOAK_BASE_MINUTE = 2;
export const SOAK_GROWTH_LIMIT = 0.02;

export async function soak(
  fn: Child,
  request: RequestInit,
  seconds: number,
  onMinute: (minute: number, result: SoakMinute) => void = () => undefined,
): Promise<SoakResult> {
  const minutes: SoakMinute[] = [];
  for (let elapsed = 0; elapsed < seconds; elapsed += 60) {
    const rss: number[] = [];
    const heap: number[] = [];
    const sampler = setInterval(() => {
      rss.push(rssBytes(fn.process.pid ?? 0));
      heapUsedBytes(fn.url).then(
        (bytes) => heap.push(bytes),
        () => undefined,
      );
    }, 2000);
    const result = await load(`${fn.url}${SEND_MAIL_PATH}`, {
      connections: 50,
      duration: Math.min(60, seconds - elapsed),
      request,
    });
    clearInterval(sampler);
    const minute = {
      rps: result.rps,
      p99: result.p99,
      failures: result.non2xx + result.errors,
      rss: median(rss),
      rssMin: Math.min(...rss),
      rssMax: Math.max(...rss),
      heapFloor: Math.min(...heap),
    };
    minutes.push(minute);
    onMinute(minutes.length, minute);
  }
  const base = minutes[Math.min(SOAK_BASE_MINUTE, minutes.length) - 1] ?? minutes[0];
  const last = minutes.at(-1) ?? base;
  return {
    minutes,
    growth: base && last ? (last.rss - base.rss) / base.rss : Number.NaN,
    failures: minutes.reduce((sum, minute) => sum + minute.failures, 0),
  };
}

export const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);

/** One line per minute, as `make soak` and `make bench` print it. */
export function minuteLine(minute: number, result: SoakMinute): string {
  return `minute ${minute}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, ${result.failures} failed, RSS median ${mib(result.rss)} MiB (${mib(result.rssMin)}–${mib(result.rssMax)}), V8 heap used floor ${mib(result.heapFloor)} MiB\n`;
}

async function heapUsedBytes(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}
