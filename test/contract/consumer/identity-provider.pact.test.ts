/**
 * Security contract with the identity provider (consumer MailService, provider IdentityProvider): the
 * discovery document and the JWKS our real key source fetches. Pact cannot express that a header is
 * absent; that our calls to the IdP never carry an Authorization header is asserted on the real peers in
 * test/acceptance/security.test.ts and identity-provider.test.ts.
 */
import { MatchersV3, PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { importJWK, SignJWT, type JWK } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { createAuthenticator } from '../../../shared/auth';
import { testConfig } from '../../support/function-under-test';
import { ROLES_CLAIM } from '../../support/tokens';
import { PACT_LOG_LEVEL } from '../../support/pacts';

const { like, eachLike } = MatchersV3;
// A fixed port and a fixed test key keep the pact the same on every run.
const PORT = 48123;
const ISSUER = `http://127.0.0.1:${PORT}`;
const privateJwk = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'idp-contract-key.json'), 'utf8'),
) as JWK;
const { kid, alg, use, kty, n, e } = privateJwk;
const publicJwk = { kid, alg, use, kty, n, e };

const pact = new PactV3({
  consumer: 'MailService',
  provider: 'IdentityProvider',
  dir: join(__dirname, '..', 'pacts'),
  port: PORT,
  spec: SpecificationVersion.SPECIFICATION_VERSION_V3,
  logLevel: PACT_LOG_LEVEL,
});

it('when send-mail checks a token, then it discovers the JWKS from the issuer and verifies with the keys it fetched', async () => {
  pact
    .given('the realm has an active RS256 signing key')
    .uponReceiving('a discovery request')
    .withRequest({ method: 'GET', path: '/.well-known/openid-configuration' })
    .willRespondWith({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: { issuer: ISSUER, jwks_uri: like(`${ISSUER}/jwks`) },
    })
    .given('the realm has an active RS256 signing key')
    .uponReceiving('a JWKS request')
    .withRequest({ method: 'GET', path: '/jwks' })
    .willRespondWith({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: { keys: eachLike(publicJwk) },
    });

  await pact.executeTest(async () => {
    const authenticator = createAuthenticator(
      testConfig({
        ENVIRONMENT: 'dev',
        SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
        SMTP_URL: 'smtp://127.0.0.1:1',
        MAIL_FROM: 'mailer@example.com',
        AUTH_ISSUER: ISSUER,
      }),
      pino({ level: 'silent' }),
    );
    const token = await new SignJWT({ [ROLES_CLAIM]: ['admin'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'contract-rs-1' })
      .setIssuer(ISSUER)
      .setExpirationTime('5m')
      .sign(await importJWK(privateJwk, 'RS256'));

    const claims = await authenticator.authorize({ authorization: `Bearer ${token}` }, 'admin');

    expect(claims.iss).toBe(ISSUER);
  });
});
