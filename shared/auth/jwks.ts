/**
 * The identity provider's keys, fetched over HTTP through a circuit breaker: discovery (when no JWKS URL
 * is configured) and the JWKS itself, with a timeout, a refetch cooldown for unknown kids, trace headers
 * and never an Authorization header.
 *
 * The GETs use node:http(s), and jose gets the keys as a local key set that we refresh the way its remote
 * key set does: jose's remote set builds a `Headers`, and the first `Headers` or `fetch` loads Node's
 * bundled undici, which cost a cold start 40–100 ms of CPU and 17 MiB of RSS (docs/performance.md).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import getRawBody from 'raw-body';
import type { AuthSettings } from './settings';
import type { Logger } from '../logging';
import { BreakerRefusedError, createBreaker, type BreakerObserver } from '../resilience';
import { newTrace, outgoingTraceHeaders, runWithTrace } from '../tracing';
import { keysUnavailable } from './errors';

/** The largest discovery document or JWKS read; real ones are a few KB. */
const MAX_DOCUMENT_BYTES = 512 * 1024;

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

interface RemoteKeySet {
  readonly getKey: JWTVerifyGetKey;
  reload(): Promise<void>;
}

export function createKeySource(config: JwksConfig, logger: Logger, breakers: BreakerObserver): JWTVerifyGetKey {
  const breaker = createBreaker(
    'identity-provider',
    (url: string) => idpGet(url, config.AUTH_JWKS_TIMEOUT_MS),
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
  const getThroughBreaker = async (url: string): Promise<unknown> => {
    try {
      return await breaker.fire(url);
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
    const url = config.AUTH_JWKS_URL ?? (await discoverJwksUri(config, getThroughBreaker));
    return remoteKeySet(() => getThroughBreaker(url), {
      cooldownMs: config.AUTH_JWKS_COOLDOWN_SECONDS * 1000,
      cacheMaxAgeMs: config.AUTH_JWKS_CACHE_SECONDS * 1000,
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
      return await (await currentKeySet()).getKey(header, token);
    } catch (err) {
      if (err instanceof KeysUnavailableError) throw keysUnavailable(err.retryAfterMs, err);
      throw err;
    }
  };
}

/**
 * The JWKS kept as jose's remote key set keeps it: fetched when there is none or it is older than
 * `cacheMaxAgeMs`; an unknown kid refetches it, at most once per `cooldownMs`; one fetch at a time.
 */
function remoteKeySet(
  fetchJwks: () => Promise<unknown>,
  timing: { readonly cooldownMs: number; readonly cacheMaxAgeMs: number },
): RemoteKeySet {
  let local: { readonly getKey: JWTVerifyGetKey; readonly fetchedAt: number } | undefined;
  let loading: Promise<void> | undefined;
  const reload = (): Promise<void> =>
    (loading ??= fetchJwks()
      .then((jwks) => {
        local = { getKey: localKeySet(jwks), fetchedAt: Date.now() };
      })
      .finally(() => {
        loading = undefined;
      }));
  const age = (): number => Date.now() - (local?.fetchedAt ?? 0);
  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (local === undefined || age() >= timing.cacheMaxAgeMs) await reload();
    try {
      return await keysOf(local)(header, token);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || age() < timing.cooldownMs) throw err;
      await reload();
      return keysOf(local)(header, token);
    }
  };
  return { getKey, reload };
}

function keysOf(local: { readonly getKey: JWTVerifyGetKey } | undefined): JWTVerifyGetKey {
  if (local === undefined) throw new KeysUnavailableError('no JWKS loaded', 1000);
  return local.getKey;
}

function localKeySet(jwks: unknown): JWTVerifyGetKey {
  try {
    return createLocalJWKSet(jwks as JSONWebKeySet);
  } catch (err) {
    throw new KeysUnavailableError('identity provider sent no valid JWKS', 1000, { cause: err });
  }
}

/** The issuer's OpenID Connect discovery document (an issuer may or may not end with a slash). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** One GET to the IdP, its JSON answer: our trace headers only, no credentials of any caller, no redirects. */
function idpGet(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      target,
      {
        method: 'GET',
        headers: { Accept: 'application/json', ...outgoingTraceHeaders() },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        readJson(response).then(resolve, reject);
      },
    );
    request.on('error', (err) =>
      reject(
        err.name === 'AbortError'
          ? new KeysUnavailableError(`identity provider did not answer within ${timeoutMs} ms`, 1000, { cause: err })
          : err,
      ),
    );
    request.end();
  });
}

async function readJson(response: IncomingMessage): Promise<unknown> {
  if (response.statusCode !== 200) {
    response.resume();
    throw new KeysUnavailableError(`identity provider answered ${response.statusCode}`, 1000);
  }
  let body: Buffer;
  try {
    body = await getRawBody(response, { limit: MAX_DOCUMENT_BYTES });
  } catch (err) {
    response.destroy(); // raw-body stops reading at the limit; the rest is not wanted
    const tooLarge = (err as { type?: string }).type === 'entity.too.large';
    throw new KeysUnavailableError(
      tooLarge ? `identity provider answer over ${MAX_DOCUMENT_BYTES} bytes` : 'identity provider answer broke off',
      1000,
      { cause: err },
    );
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new KeysUnavailableError('identity provider answer is not JSON', 1000, { cause: err });
  }
}

async function discoverJwksUri(config: JwksConfig, get: (url: string) => Promise<unknown>): Promise<string> {
  if (config.AUTH_ISSUER === undefined) throw new KeysUnavailableError('no issuer configured', 1000);
  const document = (await get(discoveryUrl(config.AUTH_ISSUER))) as { issuer?: unknown; jwks_uri?: unknown } | null;
  if (document?.issuer !== config.AUTH_ISSUER || typeof document.jwks_uri !== 'string') {
    throw new KeysUnavailableError('discovery document does not match the issuer', 1000);
  }
  return document.jwks_uri;
}
