// Real OpenID Connect identity provider (oidc-provider 9.x) for acceptance tests.
//
// Run: node idp-server.mjs [port]            (port 0 / absent = ephemeral)
// Env: IDP_PORT      port (argv[2] wins)
//      IDP_AUDIENCE  resource indicator / JWT "aud"   (default https://mailer.example.com)
//      IDP_CLIENTS   JSON { "<client_id>": { "secret"?: string, "alg": "RS256"|"ES256", "roles": string[] } }
//                    replaces the default client set below
//      IDP_ROLES_CLAIM  name of the roles claim (default the go-campaign-service one)
//
// stdout carries exactly one line: READY {"issuer":...,"jwksUri":...,"tokenEndpoint":...,...}
// Everything else (oidc-provider notices/warnings, logs) goes to stderr.
//
// Test-only endpoints (not recorded):
//   GET  /__requests        -> JSON array of every other HTTP request received {method,url,path,headers,at}
//   POST /__requests/reset  -> clears the record (204)
//   POST /__rotate          -> adds a new RSA key (new kid) and makes it the RS256 signing key (200, JSON)
//
// oidc-provider fixes its keystore at construction (lib/helpers/initialize_keystore.js stores it in a
// private weak cache), so rotation builds a fresh Provider with the enlarged key set and swaps the
// instance the http server dispatches to. Old keys stay in the JWKS, so already issued tokens verify.

import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';

// oidc-provider prints its "NOTICE"s with console.info (= stdout). Keep stdout for the READY line only.
console.info = console.error;
console.log = console.error;

const { Provider, errors } = await import('oidc-provider');
const { generateKeyPair, exportJWK } = await import('jose');

const ROLES_CLAIM = process.env.IDP_ROLES_CLAIM || 'https://github.com/StephanHCB/go-campaign-service/roles';
const AUDIENCE = process.env.IDP_AUDIENCE || 'https://mailer.example.com';
const SCOPE = 'mail:send';
const TOKEN_TTL = 600;

const CLIENTS = process.env.IDP_CLIENTS
  ? JSON.parse(process.env.IDP_CLIENTS)
  : {
      'mailer-rs256': { alg: 'RS256', roles: ['admin'] },
      'mailer-es256': { alg: 'ES256', roles: ['admin'] },
      'reader-rs256': { alg: 'RS256', roles: ['reader'] },
    };
for (const [id, c] of Object.entries(CLIENTS)) {
  if (!['RS256', 'ES256'].includes(c.alg)) throw new Error(`client ${id}: alg must be RS256 or ES256`);
  c.secret ??= `${id}-secret`;
  c.roles ??= [];
}

async function newKey(alg) {
  const { privateKey } = await generateKeyPair(
    alg,
    alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true },
  );
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `${alg.toLowerCase()}-${randomUUID()}`, alg, use: 'sig' };
}

const keys = { rsa: [await newKey('RS256')], ec: await newKey('ES256') }; // rsa[0] = current RS256 signer

const requests = [];
let provider;
let handler;

function buildProvider(issuer) {
  const p = new Provider(issuer, {
    clients: Object.entries(CLIENTS).map(([client_id, c]) => ({
      client_id,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    // signing keys; public parts are served at /jwks (first RSA key = current RS256 signer)
    jwks: { keys: [...keys.rsa, keys.ec] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // client_credentials without `resource` would get an opaque token; default it to our audience
        defaultResource: async () => AUDIENCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resourceIndicator, client) => {
          if (resourceIndicator !== AUDIENCE) throw new errors.InvalidTarget();
          const alg = CLIENTS[client.clientId]?.alg ?? 'RS256';
          return {
            scope: SCOPE,
            audience: resourceIndicator,
            accessTokenTTL: TOKEN_TTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: alg === 'RS256' ? { alg, kid: keys.rsa[0].kid } : { alg, kid: keys.ec.kid } },
          };
        },
      },
    },
    extraTokenClaims: async (ctx, token) => {
      const c = CLIENTS[token.clientId];
      return c ? { [ROLES_CLAIM]: [...c.roles] } : undefined;
    },
    ttl: { ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? TOKEN_TTL },
    clientBasedCORS: () => true,
  });
  p.on('server_error', (ctx, err) => console.error('[idp] server_error', err));
  return p;
}

function sendJson(res, status, body) {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/__requests' && req.method === 'GET') return sendJson(res, 200, requests);
  if (path === '/__requests/reset' && req.method === 'POST') {
    requests.length = 0;
    res.writeHead(204).end();
    return;
  }
  if (path === '/__rotate' && req.method === 'POST') {
    newKey('RS256').then(
      (k) => {
        keys.rsa.unshift(k);
        provider = buildProvider(provider.issuer);
        handler = provider.callback();
        sendJson(res, 200, { kid: k.kid, kids: [...keys.rsa, keys.ec].map((x) => x.kid) });
      },
      (err) => sendJson(res, 500, { error: String(err) }),
    );
    return;
  }
  requests.push({ method: req.method, url: req.url, path, headers: { ...req.headers }, at: new Date().toISOString() });
  handler(req, res);
});

const argPort = process.argv[2] ?? process.env.IDP_PORT ?? '0';
server.listen(Number(argPort), '127.0.0.1', () => {
  const { port } = server.address();
  provider = buildProvider(`http://127.0.0.1:${port}`);
  handler = provider.callback();
  const ready = {
    issuer: provider.issuer,
    jwksUri: provider.urlFor('jwks'),
    tokenEndpoint: provider.urlFor('token'),
    discoveryUri: `${provider.issuer}/.well-known/openid-configuration`,
    audience: AUDIENCE,
    rolesClaim: ROLES_CLAIM,
    clients: Object.fromEntries(
      Object.entries(CLIENTS).map(([id, c]) => [id, { secret: c.secret, alg: c.alg, roles: c.roles }]),
    ),
    pid: process.pid,
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
});

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  const t0 = Date.now();
  server.close(() => {
    console.error(`[idp] closed in ${Date.now() - t0}ms`);
    process.exit(0);
  });
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// parent gone (stdin pipe closed) -> exit; idp.ts spawns with stdin: 'pipe' for this purpose
if (process.env.IDP_EXIT_ON_STDIN_CLOSE === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}
