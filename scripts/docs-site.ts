/**
 * `make docs-site [DIR=dist/docs-site]`: the API docs as a self-contained static folder (index page with
 * Swagger UI and the embedded spec, the spec files, the event schemas) for any static host.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { staticSiteFiles } from '../functions/docs/site';

export function writeDocsSite(dir: string): string[] {
  const written: string[] = [];
  for (const file of staticSiteFiles()) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.load().data);
    written.push(file.path);
  }
  return written;
}

if (require.main === module) {
  const dir = resolve(process.argv[2] ?? 'dist/docs-site');
  const files = writeDocsSite(dir);
  process.stdout.write(
    `${files.length} files written to ${dir}; open ${join(dir, 'index.html')} or upload the folder to any static host\n`,
  );
}
