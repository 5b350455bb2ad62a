/**
 * The embedded key store for `make dev` (ENVIRONMENT=local without IDEMPOTENCY_REDIS_URL): one process's
 * memory, so it holds for a single instance only and forgets on restart. Same semantics as Redis.
 */
import type { ClaimResult, IdempotencyStore, KeyRecord } from './store';

interface Entry {
  readonly record: KeyRecord;
  readonly expiresAt: number;
}

export function createMemoryStore(now: () => number = Date.now): IdempotencyStore {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const ownedBy = (key: string, owner: string): boolean => {
    const record = live(key)?.record;
    return record?.state === 'inflight' && record.owner === owner;
  };
  const sweep = (): void => {
    for (const key of entries.keys()) live(key);
  };
  return {
    claim(key, record, lockMs): Promise<ClaimResult> {
      if (entries.size > 10_000) sweep();
      const existing = live(key);
      if (existing) return Promise.resolve({ claimed: false, existing: existing.record });
      entries.set(key, { record, expiresAt: now() + lockMs });
      return Promise.resolve({ claimed: true });
    },
    settle(key, owner, record, ttlMs) {
      const gone = live(key) === undefined;
      if (!gone && !ownedBy(key, owner)) return Promise.resolve('taken' as const);
      entries.set(key, { record, expiresAt: now() + ttlMs });
      return Promise.resolve(gone ? ('restored' as const) : ('settled' as const));
    },
    release(key, owner) {
      if (!ownedBy(key, owner)) return Promise.resolve(false);
      entries.delete(key);
      return Promise.resolve(true);
    },
    close() {
      entries.clear();
      return Promise.resolve();
    },
  };
}
