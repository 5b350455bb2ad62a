/**
 * `make token [ROLE=admin] [TTL=3600]`: mints an HS256 bearer token with the configured secret (locally,
 * the obviously fake dev secret), shaped like the campaign service's tokens. For dev and tests only.
 */
import { SignJWT } from 'jose';
import { sendMailSettings } from '../functions/send-mail/settings';
import { loadProcessConfig } from '../shared/config';

export interface MintOptions {
  readonly secret: string;
  readonly rolesClaim: string;
  readonly roles?: unknown;
  readonly ttlSeconds?: number;
  readonly subject?: string;
  /** Further claims, e.g. iss and aud. */
  readonly claims?: Record<string, unknown>;
}

export function mintHs256Token(options: MintOptions): Promise<string> {
  return new SignJWT({ [options.rolesClaim]: options.roles ?? ['admin'], ...options.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject ?? 'campaign-service')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret));
}

/** `make token TTL=…`: whole seconds, at least 1; anything else is refused naming TTL. */
export function ttlSecondsOf(text: string | undefined): number {
  if (text === undefined) return 3600;
  const ttl = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(ttl) || ttl < 1)
    throw new Error(
      `TTL must be a whole number of seconds, at least 1 (make token TTL=3600); got ${JSON.stringify(text)}`,
    );
  return ttl;
}

async function main(): Promise<void> {
  // The token is for send-mail's callers: its settings, as send-mail reads them.
  const config = loadProcessConfig(sendMailSettings);
  if (config.AUTH_HS256_SECRET === undefined)
    throw new Error('AUTH_HS256_SECRET is not set, so no HS256 token can be minted');
  const ttl = ttlSecondsOf(process.env.TTL);
  const roles = (process.env.ROLE ?? 'admin').split(',').filter((role) => role !== '');
  process.stdout.write(
    `${await mintHs256Token({ secret: config.AUTH_HS256_SECRET, rolesClaim: config.AUTH_ROLES_CLAIM, roles, ttlSeconds: ttl })}\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
