/**
 * A token bucket per caller: it holds up to `burst` mails and refills at `rate` mails per second; a request
 * takes as many as it would send, all or none. The memory bucket is one instance's; the Redis one
 * (redis-bucket.ts) is shared by every instance and keeps the same arithmetic in a script.
 */

export interface Policy {
  /** Mails per second. */
  readonly rate: number;
  /** The bucket's size: mails at once after a quiet time. */
  readonly burst: number;
}

export interface Taken {
  readonly allowed: boolean;
  /** Whole mails left in the bucket after this request. */
  readonly remaining: number;
  /** Not allowed: how long until the bucket holds what was asked. */
  readonly retryAfterMs: number;
  /** How long until the bucket is full again. */
  readonly fullInMs: number;
}

export interface Buckets {
  take(key: string, cost: number, policy: Policy): Promise<Taken>;
  close(): Promise<void>;
}

/** The arithmetic both buckets share: `tokens` as of `at`, refilled to `now`, then `cost` taken if there. */
export function takeFrom(
  state: { readonly tokens: number; readonly at: number } | undefined,
  now: number,
  cost: number,
  policy: Policy,
): Taken & { readonly tokens: number } {
  const perMs = policy.rate / 1000;
  const before = Math.min(policy.burst, (state?.tokens ?? policy.burst) + (now - (state?.at ?? now)) * perMs);
  const allowed = before >= cost;
  const tokens = allowed ? before - cost : before;
  return { ...takenOf(allowed, tokens, cost, policy), tokens };
}

/** What a take means for the answer, from the tokens left after it. */
export function takenOf(allowed: boolean, tokens: number, cost: number, policy: Policy): Taken {
  const perMs = policy.rate / 1000;
  return {
    allowed,
    remaining: Math.floor(tokens),
    retryAfterMs: allowed ? 0 : Math.ceil((cost - tokens) / perMs),
    fullInMs: Math.ceil((policy.burst - tokens) / perMs),
  };
}

/** One instance's buckets, in memory: locally (no Redis), and as the fallback while Redis is down. */
export function createMemoryBuckets(now: () => number = Date.now): Buckets {
  const state = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, cost, policy) {
      const at = now();
      const taken = takeFrom(state.get(key), at, cost, policy);
      state.set(key, { tokens: taken.tokens, at });
      // A full bucket is the same as none: forgotten, so idle callers cost no memory.
      if (taken.fullInMs <= 0) state.delete(key);
      return Promise.resolve(taken);
    },
    close: () => Promise.resolve(),
  };
}
