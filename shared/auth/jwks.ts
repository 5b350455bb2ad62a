/**
 * The identity provider's keys, fetched over HTTP through a circuit breaker: discovery (when no JWKS URL
 * is configured) and the JWKS itself, with a timeout, a refetch cooldown for unknown kids, trace headers
 * and never an Authorization header.
 */
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { AuthSettings } from './settings';
import type { Logger } from '../logging';
import { BreakerRefusedError, createBreaker, type BreakerObserver } from '../resilience';
import { newTrace, outgoingTraceHeaders, runWithTrace } from '../tracing';
import { keysUnavailable } from './errors';

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

export type JwksConfig = Pick<
  AuthSettings,
  'AUTH_ISSUER' | 'AUTH_JWKS_URL' | 'AUTH_JWKS_TIMEOUT_MS' | 'AUTH_JWKS_COOLDOWN_SECONDS' | 'AUTH_JWKS_CACHE_SECONDS'
>;

/** The IdP could not be asked; carries what the breaker says about retrying. */
export class KeysUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KeysUnavailableError';
  }
}

export function createKeySource(config: JwksConfig, logger: Logger, breakers: BreakerObserver): JWTVerifyGetKey {
  const breaker = createBreaker(
    'identity-provider',
    idpFetch,
    {
      timeoutMs: config.AUTH_JWKS_TIMEOUT_MS + 500,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: 10_000,
      capacity: 10,
    },
    logger,
    breakers,
  );
  const fetchThroughBreaker = async (url: string, init: RequestInit): Promise<Response> => {
    try {
      return await breaker.fire(url, init);
    } catch (err) {
      if (err instanceof BreakerRefusedError)
        throw new KeysUnavailableError('identity provider breaker open', err.retryAfterMs);
      throw err instanceof KeysUnavailableError
        ? err
        : new KeysUnavailableError('identity provider unreachable', 1000, { cause: err });
    }
  };

  let keySet: Promise<RemoteKeySet> | undefined;
  const resolveKeySet = async (): Promise<RemoteKeySet> => {
    const url = config.AUTH_JWKS_URL ?? (await discoverJwksUri(config, fetchThroughBreaker));
    return createRemoteJWKSet(new URL(url), {
      timeoutDuration: config.AUTH_JWKS_TIMEOUT_MS,
      cooldownDuration: config.AUTH_JWKS_COOLDOWN_SECONDS * 1000,
      cacheMaxAge: config.AUTH_JWKS_CACHE_SECONDS * 1000,
      [customFetch]: fetchThroughBreaker,
    });
  };

  const currentKeySet = (): Promise<RemoteKeySet> =>
    (keySet ??= resolveKeySet().catch((err: unknown) => {
      keySet = undefined; // discovery failed: ask again on the next request
      throw err;
    }));
  // Ask the IdP while the function is still coming up, so a cold start's first request finds the keys;
  // if this fails, that request asks again. It is a trace of its own, like any call we make.
  void runWithTrace(newTrace(), () =>
    currentKeySet()
      .then((keys) => keys.reload())
      .catch(() => undefined),
  );

  return async (header, token) => {
    try {
      return await (
        await currentKeySet()
      )(header, token);
    } catch (err) {
      if (err instanceof KeysUnavailableError) throw keysUnavailable(err.retryAfterMs, err);
      if ((err as { code?: string }).code === 'ERR_JWKS_TIMEOUT') throw keysUnavailable(1000, err);
      throw err;
    }
  };
}

/** The issuer's OpenID Connect discovery document (an issuer may or may not end with a slash). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** One GET to the IdP: our trace headers only, no credentials of any caller, no redirects. */
async function idpFetch(url: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.delete('authorization');
  for (const [name, value] of Object.entries(outgoingTraceHeaders())) headers.set(name, value);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  if (response.status !== 200) throw new KeysUnavailableError(`identity provider answered ${response.status}`, 1000);
  return response;
}

async function discoverJwksUri(
  config: JwksConfig,
  fetchImpl: (url: string, init: RequestInit) => Promise<Response>,
): Promise<string> {
  if (config.AUTH_ISSUER === undefined) throw new KeysUnavailableError('no issuer configured', 1000);
  const response = await fetchImpl(discoveryUrl(config.AUTH_ISSUER), {
    method: 'GET',
    signal: AbortSignal.timeout(config.AUTH_JWKS_TIMEOUT_MS),
  });
  const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (document.issuer !== config.AUTH_ISSUER || typeof document.jwks_uri !== 'string') {
    throw new KeysUnavailableError('discovery document does not match the issuer', 1000);
  }
  return document.jwks_uri;
}
