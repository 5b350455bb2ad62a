/**
 * A minimal identity provider over real HTTP: a discovery document and a JWKS whose keys the test
 * controls, every request recorded (to prove no token ever reaches it), and a switch to take it down.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface JwksServer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly requests: RecordedRequest[];
  /** The JWKS served; change it to rotate keys. */
  keys: JWK[];
  /** When false, every request is answered 503. */
  up: boolean;
  jwksFetches(): number;
  stop(): Promise<void>;
}

export async function signingKey(alg: 'RS256' | 'ES256' | 'PS256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const requests: RecordedRequest[] = [];
  const state = { keys, up: true };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    if (!state.up) {
      res.writeHead(503).end();
    } else if (path === '/.well-known/openid-configuration') {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (path === '/jwks') {
      res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: state.keys }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    requests,
    get keys() {
      return state.keys;
    },
    set keys(next: JWK[]) {
      state.keys = next;
    },
    get up() {
      return state.up;
    },
    set up(next: boolean) {
      state.up = next;
    },
    jwksFetches: () => requests.filter((request) => request.path === '/jwks').length,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
