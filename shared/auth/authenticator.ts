/**
 * The one entry to auth for handlers: bearer token → verified claims → role check. Every failure is
 * logged once with its reason (never the token) and reported to the failure counter.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { JWTPayload } from 'jose';
import type { AuthSettings } from './settings';
import type { Logger } from '../logging';
import { ignoreBreakers, type BreakerObserver } from '../resilience';
import { bearerToken } from './bearer';
import { AuthError, type AuthFailureReason } from './errors';
import { createKeySource } from './jwks';
import { requireRole } from './roles';
import { withVerifiedCache } from './verified-cache';
import { createTokenVerifier, type VerifierConfig } from './verifier';

export type AuthConfig = VerifierConfig &
  Pick<
    AuthSettings,
    | 'AUTH_ROLES_CLAIM'
    | 'AUTH_MAX_TOKEN_BYTES'
    | 'AUTH_TOKEN_CACHE_SECONDS'
    | 'AUTH_JWKS_TIMEOUT_MS'
    | 'AUTH_JWKS_COOLDOWN_SECONDS'
    | 'AUTH_JWKS_CACHE_SECONDS'
  >;

export interface Authenticator {
  /**
   * Resolves with the caller's claims when the token is valid and carries `role` (one of them, for a list);
   * throws an AuthError otherwise.
   */
  authorize(headers: IncomingHttpHeaders, role: string | readonly string[]): Promise<JWTPayload>;
}

/** The seam for the auth-failure metric. */
export type AuthFailureCounter = (reason: AuthFailureReason) => void;

export interface AuthTelemetry {
  readonly countFailure?: AuthFailureCounter;
  readonly breakers?: BreakerObserver;
}

export function createAuthenticator(config: AuthConfig, logger: Logger, telemetry: AuthTelemetry = {}): Authenticator {
  const countFailure = telemetry.countFailure ?? ((): void => undefined);
  const asymmetric = config.AUTH_ISSUER !== undefined || config.AUTH_JWKS_URL !== undefined;
  const verify = withVerifiedCache(
    createTokenVerifier(
      config,
      asymmetric ? createKeySource(config, logger, telemetry.breakers ?? ignoreBreakers) : undefined,
    ),
    config.AUTH_TOKEN_CACHE_SECONDS,
  );
  return {
    async authorize(headers, role) {
      try {
        const claims = await verify(bearerToken(headers.authorization, config.AUTH_MAX_TOKEN_BYTES));
        requireRole(claims, config.AUTH_ROLES_CLAIM, role);
        return claims;
      } catch (err) {
        if (err instanceof AuthError) {
          logger.warn(
            { event: { action: 'authorize', outcome: 'failure', reason: err.reason }, error: { code: err.code } },
            'authorization failed',
          );
          countFailure(err.reason);
        }
        throw err;
      }
    },
  };
}
