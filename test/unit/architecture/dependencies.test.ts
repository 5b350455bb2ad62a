/**
 * The directions the code's imports may take: shared/ never imports functions/, a function never imports
 * another (what two need lives in shared/, e.g. shared/contracts), and resilience reports to metrics
 * through its own observer interface without importing it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('generated'))
    .map((file) => join(dir, file));
}

/** Each relative import of a file, as a path from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
    (match) => match[1] ?? '',
  );
  return specifiers.map((specifier) => relative(ROOT, resolve(join(ROOT, dirname(file)), specifier)));
}

const rules = [
  {
    name: 'shared/ never imports functions/',
    from: 'shared',
    forbidden: (target: string) => target.startsWith('functions/'),
  },
  {
    name: 'resilience never imports metrics',
    from: 'shared/resilience',
    forbidden: (target: string) => target.startsWith('shared/metrics'),
  },
  ...['send-mail', 'health', 'docs'].map((fn) => ({
    name: `functions/${fn} never imports another function`,
    from: `functions/${fn}`,
    forbidden: (target: string) => target.startsWith('functions/') && !target.startsWith(`functions/${fn}/`),
  })),
];

it.each(rules)('when the imports of $from are read, then $name', ({ from, forbidden }) => {
  const offending = sourceFiles(from).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((target) => `${file} -> ${target}`),
  );

  expect(sourceFiles(from).length).toBeGreaterThan(0);
  expect(offending).toEqual([]);
});
