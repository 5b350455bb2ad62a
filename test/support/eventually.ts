/**
 * Waiting for a condition instead of a fixed sleep: polls until the probe's value satisfies the predicate,
 * or fails at the deadline with the last value seen (and what the wait was for).
 */
export interface EventuallyOptions {
  /** What the wait is for, named in the failure. */
  readonly what?: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

export async function eventually<T>(
  probe: () => T | Promise<T>,
  predicate: (value: T) => boolean = Boolean,
  options: EventuallyOptions = {},
): Promise<T> {
  const { what = 'a condition', timeoutMs = 5000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (predicate(value)) return value;
    if (Date.now() >= deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last seen: ${describe(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The promise's value, or `late` once `ms` have passed; the timer is cleared either way, so a finished
 * test leaves no timer behind (Jest would wait for it and warn that it did not exit).
 */
export async function within<T, L>(promise: Promise<T>, ms: number, late: L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<L>((resolve) => (timer = setTimeout(() => resolve(late), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
