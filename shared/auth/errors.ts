/**
 * Authentication and authorization failures: stable codes, their statuses and RFC 6750 challenges, and
 * the closed list of reasons that are logged and counted (never shown to the caller).
 */
import { AppError } from '../errors';
import { retryAfterSeconds } from '../resilience';

export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'too_large'
  | 'alg_not_allowed'
  | 'signature'
  | 'expired'
  | 'lifetime_too_long'
  | 'not_yet_valid'
  | 'claim_invalid'
  | 'unknown_kid'
  | 'ambiguous_kid'
  | 'key_rejected'
  | 'unsupported'
  | 'no_verifier'
  | 'role_missing'
  | 'keys_unavailable';

export const authErrorStatus = {
  'auth.token.missing': 401,
  'auth.token.invalid': 401,
  'auth.role.missing': 403,
  'auth.keys.unavailable': 503,
} as const satisfies Record<string, number>;

const REALM = 'realm="mailer"';

/** Carries the reason for the log and the counter; the answer shows only the code. */
export class AuthError extends AppError {
  constructor(
    code: keyof typeof authErrorStatus,
    readonly reason: AuthFailureReason,
    headers: Record<string, string>,
    cause?: unknown,
  ) {
    super(code, authErrorStatus[code], { headers, cause });
    this.name = 'AuthError';
  }
}

export function tokenMissing(): AuthError {
  return new AuthError('auth.token.missing', 'missing', { 'WWW-Authenticate': `Bearer ${REALM}` });
}

export function tokenInvalid(reason: AuthFailureReason, cause?: unknown): AuthError {
  return new AuthError('auth.token.invalid', reason, { 'WWW-Authenticate': `Bearer ${REALM}, error="invalid_token"` }, cause);
}

export function roleMissing(): AuthError {
  return new AuthError('auth.role.missing', 'role_missing', { 'WWW-Authenticate': `Bearer ${REALM}, error="insufficient_scope"` });
}

export function keysUnavailable(retryAfterMs: number, cause?: unknown): AuthError {
  return new AuthError('auth.keys.unavailable', 'keys_unavailable', { 'Retry-After': retryAfterSeconds(retryAfterMs) }, cause);
}
