/**
 * The settings of bearer-token auth, a fragment composed by every function that checks tokens (send-mail
 * for its callers, health for its details). See shared/config/settings.ts.
 */
import { bool, num, str } from 'envalid';
import {
  defineSettings,
  describedValidator,
  httpUrl,
  nonNegativeInt,
  positiveInt,
  secret32,
  type BudgetShare,
  type Config,
} from '../config';

/** Only asymmetric algorithms: the shared-secret HS256 mode has its own verifier and setting. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const algorithmList = describedValidator<readonly string[]>('comma-separated list', (input) => {
  const algorithms = input
    .split(',')
    .map((alg) => alg.trim())
    .filter((alg) => alg !== '');
  const unknown = algorithms.filter((alg) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg));
  if (algorithms.length === 0 || unknown.length > 0)
    throw new Error(`expected a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
  return algorithms;
});

const noTokenKey = (env: Record<string, unknown>): boolean =>
  env.AUTH_JWKS_URL === undefined && env.AUTH_HS256_SECRET === undefined;

export const authSpecs = {
  AUTH_ISSUER: httpUrl({
    default: undefined,
    requiredWhen: noTokenKey,
    desc: 'Issuer of the identity provider; tokens must carry it as iss. Its discovery document names the JWKS unless AUTH_JWKS_URL is set. Required unless AUTH_JWKS_URL or AUTH_HS256_SECRET is set.',
    example: 'https://idp.example.com/realms/main',
  }),
  AUTH_JWKS_URL: httpUrl({
    default: undefined,
    desc: 'JWKS of the identity provider; default: jwks_uri from the issuer discovery document.',
  }),
  AUTH_AUDIENCE: str({ default: undefined, desc: 'Required aud of asymmetric tokens, when set.' }),
  AUTH_ALGORITHMS: algorithmList({
    default: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    desc: 'Allowed asymmetric signature algorithms.',
  }),
  AUTH_HS256_SECRET: secret32({
    default: undefined,
    desc: 'Shared secret for legacy HS256 callers; HS256 is accepted only when set. Refused in production unless AUTH_ALLOW_HS256_IN_PRODUCTION.',
  }),
  AUTH_HS256_ISSUER: str({ default: undefined, desc: 'Required iss of HS256 tokens, when set.' }),
  AUTH_HS256_AUDIENCE: str({ default: undefined, desc: 'Required aud of HS256 tokens, when set.' }),
  AUTH_ALLOW_HS256_IN_PRODUCTION: bool({
    default: false,
    desc: 'Permit AUTH_HS256_SECRET when ENVIRONMENT=production.',
  }),
  AUTH_ROLES_CLAIM: str({
    default: 'https://github.com/StephanHCB/go-campaign-service/roles',
    desc: 'Claim holding the list of roles.',
  }),
  AUTH_CLOCK_TOLERANCE_SECONDS: num({ default: 30, desc: 'Allowed clock skew for exp and nbf.' }),
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: nonNegativeInt({
    default: 86400,
    desc: 'A token whose exp lies more than this after now (beyond AUTH_CLOCK_TOLERANCE_SECONDS) or after its iat is refused; 0 turns the cap off. An exp that is not a finite number of seconds is refused always.',
  }),
  AUTH_MAX_TOKEN_BYTES: positiveInt({ default: 8192, desc: 'Longer bearer tokens are refused unread.' }),
  AUTH_TOKEN_CACHE_SECONDS: nonNegativeInt({
    default: 60,
    desc: 'A verified token is trusted again without a signature check for this long (never past its exp; 0 turns it off). A key withdrawn from the JWKS keeps working this long for tokens already seen.',
  }),
  AUTH_JWKS_TIMEOUT_MS: positiveInt({ default: 2000, desc: 'Timeout of one discovery or JWKS fetch.' }),
  AUTH_JWKS_COOLDOWN_SECONDS: positiveInt({
    default: 30,
    desc: 'A token with an unknown kid refetches the JWKS at most once per this time.',
  }),
  AUTH_JWKS_CACHE_SECONDS: positiveInt({ default: 600, desc: 'The JWKS is refetched after this time.' }),
};

export type AuthSpecs = typeof authSpecs;

/** The auth settings as the auth code reads them. */
export type AuthSettings = Config<AuthSpecs>;

export const authSettings = defineSettings({
  owner: 'shared/auth',
  specs: authSpecs,
  secrets: ['AUTH_HS256_SECRET'],
  // Obviously fake, for `make dev` and `make token` only.
  localDefaults: { AUTH_HS256_SECRET: 'local-dev-secret-not-for-any-real-environment' },
  requiredWhen: { AUTH_ISSUER: 'required unless AUTH_JWKS_URL or AUTH_HS256_SECRET is set' },
  rules: (config) =>
    config.AUTH_HS256_SECRET !== undefined &&
    config.ENVIRONMENT === 'production' &&
    !config.AUTH_ALLOW_HS256_IN_PRODUCTION
      ? ['AUTH_HS256_SECRET: refused in production unless AUTH_ALLOW_HS256_IN_PRODUCTION=true']
      : [],
});

/**
 * The key fetch's share of a request's time budget: a token whose key is not cached waits for the JWKS, which
 * only an identity provider (AUTH_ISSUER or AUTH_JWKS_URL) has to be fetched from.
 */
export function jwksBudgetShares(
  config: Readonly<{
    AUTH_JWKS_TIMEOUT_MS: number;
    AUTH_ISSUER?: string | undefined;
    AUTH_JWKS_URL?: string | undefined;
  }>,
): BudgetShare[] {
  return config.AUTH_ISSUER !== undefined || config.AUTH_JWKS_URL !== undefined
    ? [{ setting: 'AUTH_JWKS_TIMEOUT_MS', ms: config.AUTH_JWKS_TIMEOUT_MS }]
    : [];
}
