/**
 * The security acceptance suite: send-mail against an identity provider served over real HTTP and a real
 * SMTP server. Every forged, stale or malformed token is 401, a token without the role is 403, and no
 * token ever reaches SMTP, the identity provider or a log line.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, importJWK, SignJWT, type JWK } from 'jose';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { claimsJson, compactJws, hmacSigner, nowSeconds, rsaSigner, type Signer } from '../support/hostile-tokens';
import { expectErrorBody, postJson, type Answer } from '../support/http-client';
import { signingKey, startJwksServer, type JwksServer, type SigningKey } from '../support/jwks-server';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { DEV_SECRET, devToken, ROLES_CLAIM } from '../support/tokens';
import type { ErrorCode } from '../../shared/errors';

const AUDIENCE = 'https://mailer.example.com';
const LEGACY_SECRET = 'campaign-service-shared-secret-0123456789';
const DAY = 86_400;

/** The coarse cause a caller is told for each logged reason (details code token.<problem>). */
const PROBLEM_OF_REASON: Readonly<Record<string, string>> = {
  alg_not_allowed: 'signature',
  signature: 'signature',
  unknown_kid: 'signature',
  ambiguous_kid: 'signature',
  unsupported: 'signature',
  key_rejected: 'signature',
  expired: 'expired',
  not_yet_valid: 'not_yet_valid',
  claim_invalid: 'claims',
  lifetime_too_long: 'claims',
  malformed: 'malformed',
  too_large: 'malformed',
};

let smtp: TestSmtpServer;
let idp: JwksServer;
let rsKey: SigningKey;
let esKey: SigningKey;
let weakKey: { kid: string; signer: Signer };
/** send-mail trusting the IdP's keys only. */
let asymmetric: FunctionUnderTest;
/** send-mail trusting the IdP and, for legacy callers, the shared HS256 secret. */
let legacy: FunctionUnderTest;
const tokensUsed: string[] = [];

const baseEnv = (issuer: string): Record<string, string> => ({
  ENVIRONMENT: 'dev',
  SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
  SMTP_URL: smtp.url,
  MAIL_FROM: 'mailer@example.com',
  AUTH_ISSUER: issuer,
  AUTH_AUDIENCE: AUDIENCE,
  AUTH_CLOCK_TOLERANCE_SECONDS: '5',
});

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: idp.issuer,
    aud: AUDIENCE,
    sub: 'campaign-service',
    iat: nowSeconds(),
    exp: nowSeconds() + 300,
    [ROLES_CLAIM]: ['admin'],
    ...overrides,
  };
}

async function idpToken(key: SigningKey = rsKey, overrides: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims(overrides))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

async function send(
  fn: FunctionUnderTest,
  token: string | undefined,
  headers: Record<string, string> = {},
): Promise<Answer> {
  if (token !== undefined) tokensUsed.push(token);
  return postJson(
    `${fn.url}${SEND_MAIL_PATH}`,
    validRequest,
    token === undefined ? headers : { Authorization: `Bearer ${token}`, ...headers },
  );
}

function lastAuthFailureReason(fn: FunctionUnderTest): unknown {
  const failures = fn.logs.lines().filter((line) => line.message === 'authorization failed');
  return (failures[failures.length - 1]?.event as { reason?: unknown } | undefined)?.reason;
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  rsKey = await signingKey('RS256', 'rs-1');
  esKey = await signingKey('ES256', 'es-1');
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
  weakKey = { kid: 'weak-1', signer: rsaSigner(weak.privateKey) };
  const weakJwk: JWK = { ...(await exportJWK(weak.publicKey)), kid: 'weak-1', alg: 'RS256', use: 'sig' };
  idp = await startJwksServer([rsKey.publicJwk, esKey.publicJwk, weakJwk]);
  asymmetric = await startFunction(createSendMailApp, baseEnv(idp.issuer));
  legacy = await startFunction(createSendMailApp, { ...baseEnv(idp.issuer), AUTH_HS256_SECRET: LEGACY_SECRET });
});

afterAll(async () => {
  await asymmetric.stop();
  await legacy.stop();
  await idp.stop();
  await smtp.stop();
});

beforeEach(() => smtp.reset());

describe('when the token is valid and carries the role', () => {
  it.each([
    { name: 'an RS256 token from the IdP', token: () => idpToken(rsKey) },
    { name: 'an ES256 token from the IdP', token: () => idpToken(esKey) },
  ])('with $name, then the mail is sent', async ({ token }) => {
    const answer = await send(asymmetric, await token());

    expect(answer.status).toBe(200);
    expect(smtp.mails).toHaveLength(1);
  });

  it("with the campaign service's HS256 admin token (re-minted with exp) in legacy mode, then the mail is sent", async () => {
    const answer = await send(legacy, await devToken({ secret: LEGACY_SECRET }));

    expect(answer.status).toBe(200);
    expect(smtp.mails).toHaveLength(1);
  });
});

describe('when the token is forged, stale or malformed', () => {
  const cases: { name: string; reason: string; token: () => Promise<string> | string; fn?: () => FunctionUnderTest }[] =
    [
      {
        name: 'alg none',
        reason: 'alg_not_allowed',
        token: () => compactJws({ alg: 'none', typ: 'JWT' }, claims(), null),
      },
      {
        name: 'alg None',
        reason: 'alg_not_allowed',
        token: () => compactJws({ alg: 'None', typ: 'JWT' }, claims(), null),
      },
      {
        name: 'HS256 signed with the IdP public key (asymmetric-only)',
        reason: 'alg_not_allowed',
        token: async () => compactJws({ alg: 'HS256', kid: rsKey.kid }, claims(), hmacSigner(await publicPem(rsKey))),
      },
      {
        name: 'HS256 signed with the IdP public key (legacy mode)',
        reason: 'signature',
        fn: () => legacy,
        token: async () => compactJws({ alg: 'HS256', kid: rsKey.kid }, claims(), hmacSigner(await publicPem(rsKey))),
      },
      {
        name: 'the dev HS secret against an asymmetric-only setup',
        reason: 'alg_not_allowed',
        token: () => devToken({ secret: DEV_SECRET, claims: { iss: idp.issuer, aud: AUDIENCE } }),
      },
      {
        name: 'the legacy token signed with another secret',
        reason: 'signature',
        fn: () => legacy,
        token: () => devToken({ secret: 'another-secret-that-is-32-bytes-long!!' }),
      },
      {
        name: "an attacker's key embedded as jwk",
        reason: 'unknown_kid',
        token: () => attackerToken((jwk) => ({ jwk, kid: 'attacker' })),
      },
      {
        name: "an attacker's key embedded as jwk under a real kid",
        reason: 'signature',
        token: () => attackerToken((jwk) => ({ jwk, kid: rsKey.kid })),
      },
      {
        name: 'a jku pointing at the attacker',
        reason: 'signature',
        token: () => attackerToken(() => ({ jku: 'http://127.0.0.1:9/jwks', kid: rsKey.kid })),
      },
      {
        name: 'an x5u pointing at the attacker',
        reason: 'signature',
        token: () => attackerToken(() => ({ x5u: 'http://127.0.0.1:9/cert.pem', kid: rsKey.kid })),
      },
      {
        name: "an attacker's x5c chain",
        reason: 'signature',
        token: () => attackerToken((jwk) => ({ x5c: [String(jwk.n)], kid: rsKey.kid })),
      },
      { name: 'an unknown kid', reason: 'unknown_kid', token: () => idpTokenWithHeader({ kid: 'who-is-this' }) },
      {
        name: 'no kid while the JWKS holds two RS256 keys',
        reason: 'ambiguous_kid',
        token: () => idpTokenWithHeader({ kid: undefined }),
      },
      {
        name: 'a path-traversal kid',
        reason: 'unknown_kid',
        token: () => idpTokenWithHeader({ kid: '../../../../etc/passwd' }),
      },
      {
        name: 'a kid with quotes',
        reason: 'unknown_kid',
        token: () => idpTokenWithHeader({ kid: `rs-1" OR "1"="1'` }),
      },
      { name: 'a 4 KB kid', reason: 'unknown_kid', token: () => idpTokenWithHeader({ kid: 'k'.repeat(4096) }) },
      {
        name: 'an 8 KB kid (over AUTH_MAX_TOKEN_BYTES, refused unread)',
        reason: 'too_large',
        token: () => idpTokenWithHeader({ kid: 'k'.repeat(8192) }),
      },
      {
        name: 'expired beyond the tolerance',
        reason: 'expired',
        token: () => idpToken(rsKey, { exp: nowSeconds() - 60 }),
      },
      { name: 'nbf in the future', reason: 'not_yet_valid', token: () => idpToken(rsKey, { nbf: nowSeconds() + 600 }) },
      { name: 'no exp', reason: 'claim_invalid', token: () => idpToken(rsKey, { exp: undefined }) },
      {
        name: 'a wrong iss',
        reason: 'claim_invalid',
        token: () => idpToken(rsKey, { iss: 'https://evil.example.com' }),
      },
      { name: 'no iss', reason: 'claim_invalid', token: () => idpToken(rsKey, { iss: undefined }) },
      {
        name: 'a wrong aud',
        reason: 'claim_invalid',
        token: () => idpToken(rsKey, { aud: 'https://other.example.com' }),
      },
      { name: 'no aud', reason: 'claim_invalid', token: () => idpToken(rsKey, { aud: undefined }) },
      { name: 'a flipped signature', reason: 'signature', token: async () => flipLastSignatureChar(await idpToken()) },
      {
        name: 'a truncated token',
        reason: 'malformed',
        token: async () => (await idpToken()).split('.').slice(0, 2).join('.'),
      },
      { name: 'a 4-segment token', reason: 'malformed', token: async () => `${await idpToken()}.${'e30'}` },
      {
        name: 'an unknown crit',
        reason: 'unsupported',
        token: () => idpTokenWithHeader({ crit: ['x-unknown'], 'x-unknown': 1 }),
      },
      { name: 'b64 false', reason: 'malformed', token: () => idpTokenWithHeader({ b64: false, crit: ['b64'] }) },
      {
        name: 'a key of 1024-bit RSA in the JWKS',
        reason: 'key_rejected',
        token: () => compactJws({ alg: 'RS256', kid: weakKey.kid }, claims(), weakKey.signer),
      },
      { name: 'a 16 KB token', reason: 'too_large', token: () => idpToken(rsKey, { padding: 'p'.repeat(16 * 1024) }) },
      // Finding 6: tokens that never expire, or live longer than AUTH_MAX_TOKEN_LIFETIME_SECONDS (1 day).
      {
        name: 'exp 1e309 (Infinity once parsed)',
        reason: 'claim_invalid',
        token: () => compactJws(rsHeader(), claimsJson(claims(), { exp: '1e309' }), rsaSigner(rsKey.privateKey)),
      },
      { name: 'exp 1e20', reason: 'claim_invalid', token: () => idpToken(rsKey, { exp: 1e20 }) },
      {
        name: 'exp two days ahead',
        reason: 'lifetime_too_long',
        token: () => idpToken(rsKey, { exp: nowSeconds() + 2 * DAY }),
      },
      {
        name: 'exp within a day but issued for two',
        reason: 'lifetime_too_long',
        token: () => idpToken(rsKey, { iat: nowSeconds() - DAY - 3600, exp: nowSeconds() + 3600 }),
      },
      {
        name: 'an HS256 exp 1e309 (legacy mode)',
        reason: 'claim_invalid',
        fn: () => legacy,
        token: () =>
          compactJws(
            { alg: 'HS256', typ: 'JWT' },
            claimsJson(legacyClaims(), { exp: '1e309' }),
            hmacSigner(LEGACY_SECRET),
          ),
      },
      {
        name: 'an HS256 exp 1e20 (legacy mode)',
        reason: 'claim_invalid',
        fn: () => legacy,
        token: () =>
          compactJws({ alg: 'HS256', typ: 'JWT' }, { ...legacyClaims(), exp: 1e20 }, hmacSigner(LEGACY_SECRET)),
      },
      {
        name: 'an HS256 exp two days ahead (legacy mode)',
        reason: 'lifetime_too_long',
        fn: () => legacy,
        token: () => devToken({ secret: LEGACY_SECRET, ttlSeconds: 2 * DAY }),
      },
    ];

  it.each(cases)('with $name, then it is 401 ($reason) and nothing is sent', async ({ token, reason, fn }) => {
    const target = fn?.() ?? asymmetric;
    const answer = await send(target, await token());

    expect(answer.status).toBe(401);
    expectErrorBody(answer, 'auth.token.invalid');
    const problem = PROBLEM_OF_REASON[reason];
    expect((answer.body as { details: unknown }).details).toEqual([
      { field: 'authorization', code: `token.${problem}` },
    ]);
    expect(answer.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="mailer", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(lastAuthFailureReason(target)).toBe(reason);
    expect(smtp.recipientsSeen).toEqual([]);
  });

  it('when tokens fail for different coarse causes, then each challenge has its own error_description', async () => {
    const expired = await send(asymmetric, await idpToken(rsKey, { exp: nowSeconds() - 60 }));
    const wrongIssuer = await send(asymmetric, await idpToken(rsKey, { iss: 'https://evil.example.com' }));

    expect(expired.headers.get('www-authenticate')).not.toBe(wrongIssuer.headers.get('www-authenticate'));
    expect((expired.body as { details: unknown }).details).toEqual([{ field: 'authorization', code: 'token.expired' }]);
    expect((wrongIssuer.body as { details: unknown }).details).toEqual([
      { field: 'authorization', code: 'token.claims' },
    ]);
  });

  const noBearer = 'Bearer realm="mailer"';
  const invalid = /^Bearer realm="mailer", error="invalid_token", error_description="[^"]+"$/;
  it.each<{
    name: string;
    headers: Record<string, string>;
    code: ErrorCode;
    details: unknown[];
    challenge: string | RegExp;
  }>([
    { name: 'no Authorization header', headers: {}, code: 'auth.token.missing', details: [], challenge: noBearer },
    {
      name: 'a Basic Authorization',
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
      code: 'auth.token.missing',
      details: [{ field: 'authorization', code: 'scheme.unsupported' }],
      challenge: noBearer,
    },
    {
      name: 'a raw token without Bearer',
      headers: { Authorization: 'abc.def.ghi' },
      code: 'auth.token.missing',
      details: [{ field: 'authorization', code: 'scheme.missing' }],
      challenge: noBearer,
    },
    {
      name: 'Bearer with no token',
      headers: { Authorization: 'Bearer ' },
      code: 'auth.token.invalid',
      details: [{ field: 'authorization', code: 'token.malformed' }],
      challenge: invalid,
    },
    {
      name: 'Bearer with two tokens',
      headers: { Authorization: 'Bearer abc.def.ghi jkl.mno.pqr' },
      code: 'auth.token.invalid',
      details: [{ field: 'authorization', code: 'token.malformed' }],
      challenge: invalid,
    },
  ])(
    'with $name, then it is 401 $code with its details and nothing is sent',
    async ({ headers, code, details, challenge }) => {
      const answer = await send(asymmetric, undefined, headers);

      expect(answer.status).toBe(401);
      expectErrorBody(answer, code);
      expect((answer.body as { details: unknown }).details).toEqual(details);
      if (typeof challenge === 'string') expect(answer.headers.get('www-authenticate')).toBe(challenge);
      else expect(answer.headers.get('www-authenticate')).toMatch(challenge);
      expect(smtp.recipientsSeen).toEqual([]);
    },
  );

  it('with no token and a body that is not even JSON, then it is 401: authentication comes before parsing', async () => {
    const answer = await postJson(`${asymmetric.url}${SEND_MAIL_PATH}`, 'not json', { 'Content-Type': 'text/plain' });

    expect(answer.status).toBe(401);
    expectErrorBody(answer, 'auth.token.missing');
  });
});

describe('finding 6: when a token would never expire', () => {
  it('is refused once, then it is refused again: the verified-token cache never trusts it', async () => {
    const token = compactJws(rsHeader(), claimsJson(claims(), { exp: '1e309' }), rsaSigner(rsKey.privateKey));

    expect((await send(asymmetric, token)).status).toBe(401);
    expect((await send(asymmetric, token)).status).toBe(401);
    expect(smtp.recipientsSeen).toEqual([]);
  });

  it('lives exactly AUTH_MAX_TOKEN_LIFETIME_SECONDS (a day), then the mail is sent', async () => {
    const answer = await send(asymmetric, await idpToken(rsKey, { iat: nowSeconds(), exp: nowSeconds() + DAY }));

    expect(answer.status).toBe(200);
    expect(smtp.mails).toHaveLength(1);
  });
});

describe('when the token is valid but the roles claim does not grant sending', () => {
  it.each([
    { name: 'no roles claim', roles: undefined },
    { name: 'a roles claim that is not a list', roles: 'admin' },
    { name: 'a roles list holding non-strings', roles: ['admin', 42] },
    { name: 'a roles list without admin', roles: ['reader'] },
  ])('with $name, then it is 403 and nothing is sent', async ({ roles }) => {
    const answer = await send(asymmetric, await idpToken(rsKey, { [ROLES_CLAIM]: roles }));

    expect(answer.status).toBe(403);
    expectErrorBody(answer, 'auth.role.missing');
    expect(answer.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="mailer", error="insufficient_scope", error_description="[^"]+"$/,
    );
    expect(smtp.recipientsSeen).toEqual([]);
  });
});

describe('when the identity provider misbehaves', () => {
  it.each([
    { name: 'redirects to the real JWKS', answer: 'redirect' },
    { name: 'sends a JWKS over 512 KiB', answer: 'huge' },
    { name: 'sends something that is not JSON', answer: 'garbage' },
    { name: 'sends JSON that is not a JWKS', answer: 'not-a-jwks' },
    { name: 'does not answer within AUTH_JWKS_TIMEOUT_MS', answer: 'hang' },
  ])('$name, then it is 503 auth.keys.unavailable and nothing is sent', async ({ answer }) => {
    const held: ServerResponse[] = [];
    const odd = createServer((req, res) => {
      if (answer === 'redirect') res.writeHead(302, { Location: `${idp.issuer}/jwks` }).end();
      else if (answer === 'huge') res.end(JSON.stringify({ keys: [rsKey.publicJwk], padding: 'x'.repeat(600 * 1024) }));
      else if (answer === 'garbage') res.end('<html>not a key set</html>');
      else if (answer === 'not-a-jwks') res.end(JSON.stringify({ keys: 'none' }));
      else held.push(res);
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    const { port } = odd.address() as AddressInfo;
    const fn = await startFunction(createSendMailApp, {
      ...baseEnv(idp.issuer),
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
      AUTH_JWKS_TIMEOUT_MS: '300',
    });
    try {
      const reply = await send(
        fn,
        await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: rsKey.kid }).sign(rsKey.privateKey),
      );

      expect(reply.status).toBe(503);
      expectErrorBody(reply, 'auth.keys.unavailable');
      expect(smtp.recipientsSeen).toEqual([]);
    } finally {
      await fn.stop();
      held.forEach((res) => res.destroy());
      odd.closeAllConnections();
      await new Promise((resolve) => odd.close(resolve));
    }
  });

  it('is down with an empty key cache, then it is 503 auth.keys.unavailable with Retry-After, never 401 or 500', async () => {
    const down = await startJwksServer([rsKey.publicJwk]);
    down.up = false;
    const fn = await startFunction(createSendMailApp, {
      ...baseEnv(down.issuer),
      AUTH_JWKS_URL: `${down.issuer}/jwks`,
    });
    try {
      const answer = await send(
        fn,
        await new SignJWT(claims({ iss: down.issuer }))
          .setProtectedHeader({ alg: 'RS256', kid: rsKey.kid })
          .sign(rsKey.privateKey),
      );

      expect(answer.status).toBe(503);
      expectErrorBody(answer, 'auth.keys.unavailable');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(smtp.recipientsSeen).toEqual([]);
    } finally {
      await fn.stop();
      await down.stop();
    }
  });

  it('rotates to a new kid, then the new key is accepted after one refetch', async () => {
    const rotating = await startJwksServer([rsKey.publicJwk]);
    const fn = await startFunction(createSendMailApp, { ...baseEnv(rotating.issuer), AUTH_JWKS_COOLDOWN_SECONDS: '1' });
    const sign = (key: SigningKey): Promise<string> =>
      new SignJWT(claims({ iss: rotating.issuer }))
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .sign(key.privateKey);
    try {
      expect((await send(fn, await sign(rsKey))).status).toBe(200);
      const fetchesBefore = rotating.jwksFetches();
      const next = await signingKey('RS256', 'rs-2');
      rotating.keys = [rsKey.publicJwk, next.publicJwk];
      // Time is the subject: past AUTH_JWKS_COOLDOWN_SECONDS (1 s), an unknown kid may refetch the keys.
      await new Promise((resolve) => setTimeout(resolve, 1100));

      expect((await send(fn, await sign(next))).status).toBe(200);
      expect(rotating.jwksFetches()).toBe(fetchesBefore + 1);
    } finally {
      await fn.stop();
      await rotating.stop();
    }
  });

  it('is sent 500 tokens with unknown kids, then it fetches the JWKS at most once per cooldown', async () => {
    const counted = await startJwksServer([rsKey.publicJwk]);
    const fn = await startFunction(createSendMailApp, baseEnv(counted.issuer));
    try {
      const answers: number[] = [];
      for (let batch = 0; batch < 10; batch += 1) {
        const statuses = await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const token = compactJws(
              { alg: 'RS256', kid: `unknown-${batch}-${i}` },
              claims({ iss: counted.issuer }),
              rsaSigner(rsKey.privateKey),
            );
            return (await send(fn, token)).status;
          }),
        );
        answers.push(...statuses);
      }

      expect(answers).toHaveLength(500);
      expect(new Set(answers)).toEqual(new Set([401]));
      // One fetch to learn the keys; the cooldown (30 s by default) covers the whole run.
      expect(counted.jwksFetches()).toBeLessThanOrEqual(2);
    } finally {
      await fn.stop();
      await counted.stop();
    }
  });
});

describe('when the whole suite has run', () => {
  it('then no token appears in what SMTP received, in any request to the IdP, or in any log line', async () => {
    // One more mail, so the SMTP transcript is not empty.
    expect((await send(asymmetric, await idpToken())).status).toBe(200);
    const idpRequests = JSON.stringify(idp.requests);
    const seen = [
      smtp.mails.map((mail) => mail.raw).join('\n'),
      idpRequests,
      asymmetric.logs.text(),
      legacy.logs.text(),
    ];

    expect(tokensUsed.length).toBeGreaterThan(40);
    for (const token of tokensUsed) {
      const signature = token.split('.')[2] ?? token;
      for (const text of seen) {
        expect(text).not.toContain(token);
        if (signature.length > 20) expect(text).not.toContain(signature);
      }
    }
    expect(idp.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
    expect(idp.requests.every((request) => typeof request.headers['x-b3-traceid'] === 'string')).toBe(true);
  });
});

async function publicPem(key: SigningKey): Promise<string> {
  return exportSPKI((await importJWK(key.publicJwk, 'RS256')) as never);
}

async function attackerToken(header: (attackerJwk: JWK) => Record<string, unknown>): Promise<string> {
  const attacker = await signingKey('RS256', 'attacker');
  return compactJws({ alg: 'RS256', ...header(attacker.publicJwk) }, claims(), rsaSigner(attacker.privateKey));
}

function idpTokenWithHeader(extra: Record<string, unknown>): string {
  const header = JSON.parse(JSON.stringify({ alg: 'RS256', kid: rsKey.kid, ...extra })) as Record<string, unknown>;
  return compactJws(header, claims(), rsaSigner(rsKey.privateKey));
}

function rsHeader(): Record<string, unknown> {
  return { alg: 'RS256', kid: rsKey.kid, typ: 'JWT' };
}

/** The campaign service's legacy claims: roles and exp, no iss or aud. */
function legacyClaims(): Record<string, unknown> {
  return { sub: 'campaign-service', iat: nowSeconds(), exp: nowSeconds() + 300, [ROLES_CLAIM]: ['admin'] };
}

function flipLastSignatureChar(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}
