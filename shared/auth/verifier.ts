/**
 * Verifies bearer JWTs. Two verifiers that never share keys: the asymmetric one (JWKS, AUTH_ALGORITHMS)
 * and, only when a secret is configured, the legacy HS256 one. The token's header picks which one looks
 * at it, but each accepts only its own algorithms, so a header can never steer the secret into an
 * asymmetric check.
 */
import { decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { webcrypto } from 'node:crypto';
import type { AuthSettings } from './settings';
import { AuthError, tokenInvalid, type AuthFailureReason } from './errors';
import { checkLifetime, type LifetimePolicy } from './lifetime';

export type VerifierConfig = Pick<
  AuthSettings,
  | 'AUTH_ISSUER'
  | 'AUTH_JWKS_URL'
  | 'AUTH_AUDIENCE'
  | 'AUTH_ALGORITHMS'
  | 'AUTH_HS256_SECRET'
  | 'AUTH_HS256_ISSUER'
  | 'AUTH_HS256_AUDIENCE'
  | 'AUTH_CLOCK_TOLERANCE_SECONDS'
  | 'AUTH_MAX_TOKEN_LIFETIME_SECONDS'
>;

export type TokenVerifier = (token: string) => Promise<JWTPayload>;

export function createTokenVerifier(config: VerifierConfig, keys: JWTVerifyGetKey | undefined): TokenVerifier {
  const lifetime: LifetimePolicy = {
    maxSeconds: config.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
    toleranceSeconds: config.AUTH_CLOCK_TOLERANCE_SECONDS,
  };
  const common = { requiredClaims: ['exp'], clockTolerance: config.AUTH_CLOCK_TOLERANCE_SECONDS };
  const asymmetric: JWTVerifyOptions = {
    ...common,
    algorithms: [...config.AUTH_ALGORITHMS],
    ...(config.AUTH_ISSUER ? { issuer: config.AUTH_ISSUER } : {}),
    ...(config.AUTH_AUDIENCE ? { audience: config.AUTH_AUDIENCE } : {}),
  };
  const symmetric: JWTVerifyOptions = {
    ...common,
    algorithms: ['HS256'],
    ...(config.AUTH_HS256_ISSUER ? { issuer: config.AUTH_HS256_ISSUER } : {}),
    ...(config.AUTH_HS256_AUDIENCE ? { audience: config.AUTH_HS256_AUDIENCE } : {}),
  };
  // Imported once: verifying with a ready CryptoKey is much faster than with raw bytes.
  const secret = config.AUTH_HS256_SECRET ? importHmacKey(config.AUTH_HS256_SECRET) : undefined;

  return async (token) => {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (err) {
      throw tokenInvalid('malformed', err);
    }
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && secret) payload = (await jwtVerify(token, await secret, symmetric)).payload;
      else if (keys) payload = (await jwtVerify(token, keys, asymmetric)).payload;
      else throw tokenInvalid('no_verifier');
    } catch (err) {
      throw err instanceof AuthError ? err : tokenInvalid(reasonOf(err), err);
    }
    // jose checks only that exp has not passed, not how far ahead it lies.
    checkLifetime(payload, lifetime, Date.now() / 1000);
    return payload;
  };
}

function importHmacKey(secret: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
}

const REASONS: Readonly<Record<string, AuthFailureReason>> = {
  ERR_JOSE_ALG_NOT_ALLOWED: 'alg_not_allowed',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'signature',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown_kid',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'ambiguous_kid',
  ERR_JOSE_NOT_SUPPORTED: 'unsupported',
  ERR_JWS_INVALID: 'malformed',
  ERR_JWT_INVALID: 'malformed',
  ERR_JWKS_INVALID: 'key_rejected',
};

function reasonOf(err: unknown): AuthFailureReason {
  const { code, claim } = err as { code?: string; claim?: string };
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return claim === 'nbf' ? 'not_yet_valid' : 'claim_invalid';
  if (code !== undefined && REASONS[code]) return REASONS[code];
  // jose refuses unusable keys (e.g. RSA under 2048 bits) with a TypeError.
  return 'key_rejected';
}
