/**
 * The port to the key store. One record per caller's key, in one of three states:
 * `inflight` (claimed by `owner`, expires after IDEMPOTENCY_LOCK_SECONDS if never settled), `done` (the
 * stored answer) and `unknown` (the mail may be out: locked until the key expires). Only the owner of a
 * claim may settle it, so a claim that expired and was taken by another request is never overwritten. A
 * claim that is simply gone (the store lost its data, or it expired and nobody took the key) is settled all
 * the same: the record is written as a tombstone of the answer, so a retry replays it instead of sending again.
 */

/** What a settle did: replaced its own claim, wrote the record where the claim was gone, or found another's. */
export type SettleOutcome = 'settled' | 'restored' | 'taken';

/** An answer as it is stored and replayed: status, the headers that belong to it, the JSON body. */
export interface StoredAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export type KeyRecord =
  | { readonly state: 'inflight'; readonly fingerprint: string; readonly owner: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly answer: StoredAnswer }
  | { readonly state: 'unknown'; readonly fingerprint: string };

/** What a claim found: nothing (now ours), or the record that was there. */
export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly existing: KeyRecord };

export interface IdempotencyStore {
  /** Atomically: writes the inflight record if the key is free (expiring after `lockMs`), else returns what is there. */
  claim(key: string, record: KeyRecord & { state: 'inflight' }, lockMs: number): Promise<ClaimResult>;
  /**
   * Replaces `owner`'s claim with `record` (done or unknown) for `ttlMs`; writes it as well where no record
   * is left (`restored`); leaves a record that is not `owner`'s claim alone (`taken`).
   */
  settle(key: string, owner: string, record: KeyRecord, ttlMs: number): Promise<SettleOutcome>;
  /** Deletes `owner`'s claim, so a retry can run; false when it is no longer `owner`'s. */
  release(key: string, owner: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Refused or failed store calls: the request gets 503 idempotency.store.unavailable. */
export class StoreUnavailableError extends Error {
  readonly code = 'ERR_IDEMPOTENCY_STORE';
  constructor(
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super('idempotency store unavailable', options);
    this.name = 'StoreUnavailableError';
  }
}

export function encodeRecord(record: KeyRecord): string {
  return JSON.stringify(record);
}

export function decodeRecord(text: string): KeyRecord {
  return JSON.parse(text) as KeyRecord;
}
