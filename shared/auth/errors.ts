/**
 * Authentication and authorization failures: stable codes, their statuses and RFC 6750 challenges, and
 * the closed list of reasons that are logged and counted. The caller sees only a coarse cause (see
 * `TokenProblem`), enough to fix their side, never which check or key refused the token.
 */
import { AppError, type FieldProblem } from '../errors';
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

export type AuthErrorCode = keyof typeof authErrorStatus;

declare module '../errors/app-error' {
  interface ErrorCodeOwners {
    auth: AuthErrorCode;
  }
}

const REALM = 'realm="mailer"';

/** What a caller learns about a refused token: the detail code and the challenge's error_description. */
export type TokenProblem = 'expired' | 'not_yet_valid' | 'signature' | 'claims' | 'malformed';

const TOKEN_PROBLEMS: Readonly<Record<TokenProblem, string>> = {
  expired: 'The access token expired',
  not_yet_valid: 'The access token is not valid yet',
  signature: 'The access token signature could not be verified with a trusted key',
  claims: 'The access token claims are not acceptable (issuer, audience or lifetime)',
  malformed: 'The access token is malformed',
};

/** The coarse problem behind each reason a token is refused; other reasons never come with a token. */
export function tokenProblemOf(reason: AuthFailureReason): TokenProblem {
  switch (reason) {
    case 'expired':
    case 'not_yet_valid':
      return reason;
    case 'claim_invalid':
    case 'lifetime_too_long':
      return 'claims';
    case 'malformed':
    case 'too_large':
      return 'malformed';
    default:
      return 'signature'; // alg, kid or key refused, unsupported header, no verifier: no trusted key verified it
  }
}

/** Carries the reason for the log and the counter; the answer shows the code and a coarse problem. */
export class AuthError extends AppError {
  constructor(
    code: AuthErrorCode,
    readonly reason: AuthFailureReason,
    headers: Record<string, string>,
    cause?: unknown,
    details: readonly FieldProblem[] = [],
  ) {
    super(code, authErrorStatus[code], { headers, cause, details });
    this.name = 'AuthError';
  }
}

/**
 * How the Authorization header lacked bearer credentials: absent, a lone word (a token without `Bearer `)
 * or another scheme (e.g. Basic).
 */
export type MissingBearer = 'absent' | 'no_scheme' | 'other_scheme';

const MISSING_DETAILS: Readonly<Record<MissingBearer, readonly FieldProblem[]>> = {
  absent: [],
  no_scheme: [{ field: 'authorization', code: 'scheme.missing' }],
  other_scheme: [{ field: 'authorization', code: 'scheme.unsupported' }],
};

/** RFC 6750 §3.1: a request without bearer credentials gets a challenge with no error code. */
export function tokenMissing(how: MissingBearer = 'absent'): AuthError {
  return new AuthError(
    'auth.token.missing',
    'missing',
    { 'WWW-Authenticate': `Bearer ${REALM}` },
    undefined,
    MISSING_DETAILS[how],
  );
}

export function tokenInvalid(reason: AuthFailureReason, cause?: unknown): AuthError {
  const problem = tokenProblemOf(reason);
  return new AuthError(
    'auth.token.invalid',
    reason,
    { 'WWW-Authenticate': `Bearer ${REALM}, error="invalid_token", error_description="${TOKEN_PROBLEMS[problem]}"` },
    cause,
    [{ field: 'authorization', code: `token.${problem}` }],
  );
}

export function roleMissing(): AuthError {
  return new AuthError('auth.role.missing', 'role_missing', {
    'WWW-Authenticate': `Bearer ${REALM}, error="insufficient_scope", error_description="The access token lacks the role this operation requires"`,
  });
}

export function keysUnavailable(retryAfterMs: number, cause?: unknown): AuthError {
  return new AuthError(
    'auth.keys.unavailable',
    'keys_unavailable',
    { 'Retry-After': retryAfterSeconds(retryAfterMs) },
    cause,
  );
}
