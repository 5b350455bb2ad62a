/** Bearer tokens for tests, minted with the local dev secret unless told otherwise. */
import { mintHs256Token, type MintOptions } from '../../scripts/token';
import { authSettings, authSpecs } from '../../shared/auth';

export const ROLES_CLAIM = authSpecs.AUTH_ROLES_CLAIM.default as string;
export const DEV_SECRET = authSettings.localDefaults?.AUTH_HS256_SECRET as string;

export function devToken(options: Partial<MintOptions> = {}): Promise<string> {
  return mintHs256Token({ secret: DEV_SECRET, rolesClaim: ROLES_CLAIM, ...options });
}

export async function bearer(options: Partial<MintOptions> = {}): Promise<Record<string, string>> {
  return { Authorization: `Bearer ${await devToken(options)}` };
}
