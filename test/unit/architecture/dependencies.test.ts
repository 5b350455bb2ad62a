/**
 * The directions the code's imports may take: shared/ never imports functions/, a function never imports
 * another (what two need lives in shared/, e.g. shared/events), nothing in openapi/ imports functions/,
 * resilience reports to metrics through its own observer interface without importing it, each function's
 * identity imports nothing, and no import circle exists anywhere in functions/, shared/, scripts/ or openapi/
 * (type-only imports included, as `madge --circular` counts them).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { FUNCTIONS } from '../../../functions/catalog';

const ROOT = join(__dirname, '..', '..', '..');
const CHECKED = ['functions', 'shared', 'scripts', 'openapi'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.includes('generated'))
    .map((file) => join(dir, file));
}

/** Each relative import of a file, as a path from the repository root (without its extension). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
    (match) => match[1] ?? '',
  );
  return specifiers.map((specifier) => relative(ROOT, resolve(join(ROOT, dirname(file)), specifier)));
}

/** The TypeScript file an import names (`x`, `x.js` → `x.ts`, a folder → its index.ts), if it is one. */
function sourceOf(target: string): string | undefined {
  const base = target.replace(/\.js$/, '');
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(join(ROOT, candidate)));
}

/** The import graph: each file to the source files it imports. */
function importGraph(dirs: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap(sourceFiles))
    graph.set(
      file,
      importsOf(file).flatMap((target) => sourceOf(target) ?? []),
    );
  return graph;
}

/** Every import circle, each once, as the files around it (depth-first search, the stack's back edges). */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const circle = stack.slice(stack.indexOf(next));
        const key = [...circle].sort().join(' ');
        if (!found.has(key)) found.set(key, [...circle, next]);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...found.values()];
}

const rules = [
  {
    name: 'shared/ never imports functions/',
    from: 'shared',
    forbidden: (target: string) => target.startsWith('functions/'),
  },
  {
    name: 'openapi/ never imports functions/',
    from: 'openapi',
    forbidden: (target: string) => target.startsWith('functions/'),
  },
  {
    name: 'resilience never imports metrics',
    from: 'shared/resilience',
    forbidden: (target: string) => target.startsWith('shared/metrics'),
  },
  ...FUNCTIONS.map(({ name }) => ({
    name: `functions/${name} never imports another function`,
    from: `functions/${name}`,
    forbidden: (target: string) => target.startsWith('functions/') && !target.startsWith(`functions/${name}/`),
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

it.each(FUNCTIONS.map(({ name }) => name))(
  "when %s's identity module is read, then it imports nothing (the catalog and make dev read it alone)",
  (name) => {
    const text = readFileSync(join(ROOT, 'functions', name, 'identity.ts'), 'utf8');

    expect(text).toMatch(/export const identity = \{/);
    expect(text).not.toMatch(/^\s*(import|export .* from)\b|require\(/m);
  },
);

it(`when the import graph of ${CHECKED.join(', ')} is walked, then it has no circle`, () => {
  const graph = importGraph(CHECKED);

  expect(graph.size).toBeGreaterThan(100);
  expect(circles(graph).map((circle) => circle.join(' -> '))).toEqual([]);
});

it.each([
  { name: 'two files importing each other', graph: { a: ['b'], b: ['a'] }, expected: [['a', 'b', 'a']] },
  {
    name: 'a circle of three behind a tail',
    graph: { t: ['a'], a: ['b'], b: ['c'], c: ['a'] },
    expected: [['a', 'b', 'c', 'a']],
  },
  { name: 'a diamond', graph: { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, expected: [] },
])('when the graph is $name, then the circle finder says so', ({ graph, expected }) => {
  expect(circles(new Map(Object.entries(graph)))).toEqual(expected);
});
