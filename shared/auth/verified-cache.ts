/**
 * Remembers tokens that passed verification, so a caller reusing its access token (as OAuth clients do
 * for the token's lifetime) costs one signature check per AUTH_TOKEN_CACHE_SECONDS instead of one per
 * request. An entry never outlives the token's exp (which the verifier bounds by
 * AUTH_MAX_TOKEN_LIFETIME_SECONDS), only verified tokens are stored, and the role check still runs on every
 * request. The price: a key withdrawn from the JWKS keeps trusting tokens it already verified for up to
 * that many seconds.
 */
import { LRUCache } from 'lru-cache';
import type { JWTPayload } from 'jose';
import type { TokenVerifier } from './verifier';

/** Bounded: at most this many distinct tokens are remembered, least recently used dropped first. */
export const VERIFIED_TOKENS_MAX = 1000;

interface Verified {
  readonly payload: JWTPayload;
  readonly until: number;
}

export function withVerifiedCache(verify: TokenVerifier, seconds: number, now: () => number = Date.now): TokenVerifier {
  if (seconds <= 0) return verify;
  const verified = new LRUCache<string, Verified>({ max: VERIFIED_TOKENS_MAX });
  return async (token) => {
    const hit = verified.get(token);
    if (hit && now() < hit.until) return hit.payload;
    const payload = await verify(token);
    // exp is required and bounded by the verifier; without a finite one nothing is cached.
    const exp = Number.isFinite(payload.exp) ? (payload.exp as number) : 0;
    const until = Math.min(now() + seconds * 1000, exp * 1000);
    if (until > now()) verified.set(token, { payload, until });
    else verified.delete(token);
    return payload;
  };
}
