/** Pact's shared settings, and the pact files in test/contract/pacts/ that name a given provider. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
