/**
 * How far ahead a token's exp may lie. jose takes any JSON number, so `exp: 1e309` (Infinity once parsed)
 * or `1e20` makes a token that never expires, and one leaked copy works for good. An exp must be a finite
 * NumericDate, and with AUTH_MAX_TOKEN_LIFETIME_SECONDS on, no more than that after now or after its iat.
 */
import type { JWTPayload } from 'jose';
import { tokenInvalid } from './errors';

export interface LifetimePolicy {
  /** 0 turns the cap off; the finite-exp rule holds anyway. */
  readonly maxSeconds: number;
  /** Clock skew allowed between the issuer and us, as for exp and nbf. */
  readonly toleranceSeconds: number;
}

export function checkLifetime(payload: JWTPayload, policy: LifetimePolicy, nowSeconds: number): void {
  const { exp, iat } = payload;
  // Past 2^53 seconds a NumericDate is no longer a whole number of seconds, and no issuer means it.
  if (typeof exp !== 'number' || !Number.isFinite(exp) || Math.abs(exp) > Number.MAX_SAFE_INTEGER)
    throw tokenInvalid('claim_invalid');
  if (policy.maxSeconds === 0) return;
  if (exp - nowSeconds > policy.maxSeconds + policy.toleranceSeconds) throw tokenInvalid('lifetime_too_long');
  // Issued with a longer life than allowed: refused for all of it, not only for its first part.
  if (typeof iat === 'number' && exp - iat > policy.maxSeconds) throw tokenInvalid('lifetime_too_long');
}
