/**
 * Production build into dist/ with esbuild. Per function in functions/catalog.ts:
 * - dist/<fn>/main.js: our launcher and the function in one bundle, started with `node` (make start, the image);
 * - dist/<fn>/framework-entry.js: the function registering itself, for the stock `functions-framework --target=…` CLI.
 * Tools shipped in the image: dist/tools/replay-events.js (replays dead-lettered events),
 * dist/tools/prune-pushgateway.js (deletes the Pushgateway groups of stopped pods) and dist/tools/migrate.js
 * (applies dist/migrations/, copied from migrations/), from scripts/.
 * dist/functions.txt lists each function built and its launcher bundle (`send-mail dist/send-mail/main.js`), one a
 * line, for scripts/warm-compile-cache.sh in the image, which has no TypeScript to read the catalog with.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { bundleOf, FUNCTIONS } from '../functions/catalog';
import { KAFKAJS_TIMER_FILE, patchKafkajsTimer } from './kafkajs-timer-patch.js';

/** kafkajs's negative timer, written out as in Jest (see kafkajs-timer-patch.js). */
const kafkajsNegativeTimer: Plugin = {
  name: 'kafkajs-negative-timer',
  setup(esbuild) {
    esbuild.onLoad({ filter: KAFKAJS_TIMER_FILE }, async ({ path }) => ({
      contents: patchKafkajsTimer(await readFile(path, 'utf8'), path),
      loader: 'js',
    }));
  },
};

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  sourcemap: true,
  minify: true,
  keepNames: true,
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [kafkajsNegativeTimer],
};

// Read from disk at run time (Swagger UI's static files), so resolved from node_modules, not bundled.
const RUNTIME_FILES = ['swagger-ui-dist'];

/** Commands the image ships beside the functions, run as `node dist/tools/<name>.js`. */
const TOOLS = [
  { entry: 'scripts/replay-events.ts', outfile: 'dist/tools/replay-events.js' },
  { entry: 'scripts/prune-pushgateway.ts', outfile: 'dist/tools/prune-pushgateway.js' },
  { entry: 'scripts/migrate.ts', outfile: 'dist/tools/migrate.js' },
  { entry: 'scripts/purge-timeline.ts', outfile: 'dist/tools/purge-timeline.js' },
] as const;

/** Loaded only locally, without DATABASE_URL (shared/db): a development dependency, never in the image. */
const LOCAL_ONLY = ['@electric-sql/pglite'];

async function main(): Promise<void> {
  await rm('dist', { recursive: true, force: true });
  await Promise.all(
    FUNCTIONS.flatMap(({ entries }) => [
      build({
        ...common,
        entryPoints: [entries.launcher],
        outfile: bundleOf(entries.launcher),
        external: [...RUNTIME_FILES, ...LOCAL_ONLY],
      }),
      // The stock CLI brings its own framework; the function must register in that copy.
      build({
        ...common,
        entryPoints: [entries.framework],
        outfile: bundleOf(entries.framework),
        external: ['@google-cloud/functions-framework', ...RUNTIME_FILES],
      }),
    ]),
  );
  await Promise.all(
    TOOLS.map(({ entry, outfile }) => build({ ...common, entryPoints: [entry], outfile, external: LOCAL_ONLY })),
  );
  // The migration tool reads its migrations beside it: dist/tools/../migrations.
  await cp('migrations', 'dist/migrations', { recursive: true });
  await mkdir('dist', { recursive: true });
  await writeFile(
    'dist/functions.txt',
    FUNCTIONS.map((entry) => `${entry.name} ${bundleOf(entry.entries.launcher)}\n`).join(''),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
