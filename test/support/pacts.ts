/** The pact files in test/contract/pacts/ that name a given provider. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PACTS_DIR = join(__dirname, '..', 'contract', 'pacts');

export function pactFilesFor(provider: string): string[] {
  return readdirSync(PACTS_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => join(PACTS_DIR, file))
    .filter((file) => (JSON.parse(readFileSync(file, 'utf8')) as { provider: { name: string } }).provider.name === provider);
}
