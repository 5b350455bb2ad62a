/** Pact's shared settings, and the pact files in test/contract/pacts/ that name a given provider. */
import { MatchersV3, PactV3, SpecificationVersion, type V3Request, type VerifierOptions } from '@pact-foundation/pact';
import { decodeJwt, SignJWT } from 'jose';
import type { MintOptions } from '../../scripts/token';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVerp } from '../../shared/verp';
import { DEV_SECRET, devToken, ROLES_CLAIM } from './tokens';

/**
 * Errors only: at warn, Pact notes on every run that it upgrades the V3 pact files in memory before merging,
 * and that a provider state is empty; a failing interaction is reported as a failure either way.
 */
export const PACT_LOG_LEVEL = 'error';

export const PACTS_DIR = join(__dirname, '..', 'contract', 'pacts');

export function pactFilesFor(provider: string): string[] {
  return readdirSync(PACTS_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => join(PACTS_DIR, file))
    .filter(
      (file) => (JSON.parse(readFileSync(file, 'utf8')) as { provider: { name: string } }).provider.name === provider,
    );
}

/** A consumer's pact with send-mail (MailService), written into test/contract/pacts/. */
export function mailServicePact(consumer: string): PactV3 {
  return new PactV3({
    consumer,
    provider: 'MailService',
    dir: PACTS_DIR,
    spec: SpecificationVersion.SPECIFICATION_VERSION_V3,
    logLevel: PACT_LOG_LEVEL,
  });
}

/** A fixed example admin token, so a pact is the same on every run; the provider re-mints it (request filter). */
export function exampleAdminToken(subject: string): Promise<string> {
  return exampleToken(subject, ['admin']);
}

/** A fixed example token with the given roles (see exampleAdminToken). */
export function exampleToken(subject: string, roles: readonly string[]): Promise<string> {
  return new SignJWT({ [ROLES_CLAIM]: [...roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuedAt(1767225600)
    .setExpirationTime(1767229200)
    .sign(new TextEncoder().encode(DEV_SECRET));
}

/** The answer's JSON content type, with or without parameters (send-mail adds `; charset=utf-8`). */
export const JSON_ANSWER_HEADERS = {
  'Content-Type': MatchersV3.regex('^application/json(;.*)?$', 'application/json; charset=utf-8'),
};

/**
 * A send request as the consumers make it: POST to the send path, a JSON body, and, with a token, a
 * bearer token matched by its shape (the provider re-mints it); `headers` adds to them.
 */
export function sendMailPactRequest(
  body: object,
  token?: string,
  headers: Readonly<Record<string, string>> = {},
  path = '/api/rest/v1/sendmail',
): V3Request {
  return {
    method: 'POST',
    path,
    headers: {
      'Content-Type': 'application/json',
      ...(token === undefined
        ? {}
        : { Authorization: MatchersV3.regex('^Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+$', `Bearer ${token}`) }),
      ...headers,
    },
    body,
  };
}

/**
 * The bounce address of the InboundMTA pact: a VERP tag made with the secret the FeedbackService provider
 * verification runs with, so the pact's report correlates there.
 */
export const FEEDBACK_PACT_VERP = (() => {
  const settings = {
    BOUNCE_DOMAIN: 'bounces.example.com',
    BOUNCE_LOCAL_PART: 'bounces',
    BOUNCE_VERP_SECRET: 'pact-verp-secret-0123456789abcdefghijkl',
  };
  const mailId = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const verp = createVerp(settings);
  if (!verp) throw new Error('the pact VERP settings name no domain');
  return { settings, mailId, domain: verp.domain, address: verp.address(mailId) };
})();

/**
 * The provider side's request filter: the pact's static bearer token replaced by a fresh one with the same
 * claims (fresh times), changed by `adjust` (a state's roles, another signing key).
 */
export function remintingFilter(
  adjust: (claims: Record<string, unknown>) => Partial<MintOptions> = (claims) => ({ claims }),
): NonNullable<VerifierOptions['requestFilter']> {
  return (req, _res, next) => {
    // pact-js's proxy parses a form body into an object and forwards it re-serialized as JSON under the form's
    // Content-Type and old Content-Length (its parseBody): put the form back as it was sent.
    const body: unknown = (req as { body?: unknown }).body;
    if (
      /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '') &&
      body !== null &&
      typeof body === 'object' &&
      !Buffer.isBuffer(body)
    )
      (req as { body?: unknown }).body = Buffer.from(new URLSearchParams(body as Record<string, string>).toString());
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
      next();
      return;
    }
    const { iat: _iat, exp: _exp, nbf: _nbf, ...claims } = decodeJwt(header.slice('Bearer '.length));
    void devToken(adjust(claims)).then((token) => {
      req.headers.authorization = `Bearer ${token}`;
      next();
    }, next);
  };
}
