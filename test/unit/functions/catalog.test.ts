import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleOf, FUNCTIONS, functionForPath, matchesPublicPath } from '../../../functions/catalog';
import { createLogSink } from '../../support/log-sink';
import { testConfig } from '../../support/function-under-test';

const ROOT = join(__dirname, '..', '..', '..');

describe('functionForPath', () => {
  it.each([
    { name: 'the send-mail path', path: '/api/rest/v1/sendmail', fn: 'send-mail' },
    { name: 'health', path: '/health', fn: 'health' },
    { name: 'Swagger UI without a slash', path: '/swagger-ui', fn: 'docs' },
    { name: 'a Swagger UI asset', path: '/swagger-ui/swagger-ui.css', fn: 'docs' },
    { name: 'an event schema', path: '/schemas/email-sent.v1.json', fn: 'docs' },
    { name: 'the root (a redirect to the docs)', path: '/', fn: 'docs' },
    { name: 'a path below an Exact one', path: '/health/x', fn: undefined },
    { name: 'a longer segment than a prefix', path: '/schemasx', fn: undefined },
    { name: 'a probe', path: '/readyz', fn: undefined },
    { name: '/metrics', path: '/metrics', fn: undefined },
  ])('when the path is $name, then the public route sends it to $fn', ({ path, fn }) => {
    expect(functionForPath(path)?.name).toBe(fn);
  });

  it('when a prefix ends with a slash, then it still matches whole segments only', () => {
    expect([
      matchesPublicPath({ type: 'PathPrefix', value: '/a/' }, '/a/b'),
      matchesPublicPath({ type: 'PathPrefix', value: '/a/' }, '/ab'),
    ]).toEqual([true, false]);
  });
});

describe.each(FUNCTIONS.map((entry) => ({ name: entry.name, entry })))('the catalog entry of $name', ({ entry }) => {
  it('when its entry files are looked up, then both exist and bundle into dist/<name>/', () => {
    for (const file of [entry.entries.launcher, entry.entries.framework]) {
      expect({ file, exists: existsSync(join(ROOT, file)) }).toEqual({ file, exists: true });
      expect(bundleOf(file)).toMatch(new RegExp(`^dist/${entry.name}/[a-z-]+\\.js$`));
    }
  });

  it('when its app is created, then it carries the name and framework target the catalog lists', async () => {
    const app = (await entry.loadApp())(testConfig(), createLogSink().stream);
    try {
      expect({ name: app.name, target: app.target }).toEqual({ name: entry.name, target: entry.target });
    } finally {
      await app.stop();
    }
  });

  it('when its API description is loaded, then it documents paths exactly when it has public ones, each one the public route sends to it', async () => {
    const paths = Object.keys((await entry.loadApi()).paths);

    expect(paths.length > 0).toBe(entry.publicPaths.length > 0);
    expect(paths.filter((path) => functionForPath(path) !== entry)).toEqual([]);
  });
});

it('when the catalog is imported, then no function is loaded, only their identities', () => {
  const script =
    "require('./functions/catalog'); console.log(Object.keys(require.cache).filter((file) => /[\\\\/]functions[\\\\/].+[\\\\/]/.test(file) && !/[\\\\/]identity\\.ts$/.test(file)).join('\\n'))";
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });

  expect(run.status).toBe(0);
  expect(run.stdout.trim()).toBe('');
});
