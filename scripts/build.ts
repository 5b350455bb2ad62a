/**
 * Production build into dist/ with esbuild. Per function:
 * - dist/<fn>/main.js: our launcher and the function in one bundle, started with `node` (make start, the image);
 * - dist/<fn>/index.js: the function module alone, for the stock `functions-framework --target=…` CLI.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { KAFKAJS_TIMER_FILE, patchKafkajsTimer } from './kafkajs-timer-patch.js';

export const FUNCTIONS = ['send-mail', 'health', 'docs'] as const;

/** kafkajs's negative timer, written out as in Jest (see kafkajs-timer-patch.js). */
const kafkajsNegativeTimer: Plugin = {
  name: 'kafkajs-negative-timer',
  setup(esbuild) {
    esbuild.onLoad({ filter: KAFKAJS_TIMER_FILE }, async ({ path }) => ({ contents: patchKafkajsTimer(await readFile(path, 'utf8'), path), loader: 'js' }));
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

async function main(): Promise<void> {
  await rm('dist', { recursive: true, force: true });
  await Promise.all(
    FUNCTIONS.flatMap((fn) => [
      build({ ...common, entryPoints: [`functions/${fn}/main.ts`], outfile: `dist/${fn}/main.js`, external: RUNTIME_FILES }),
      // The stock CLI brings its own framework; the function must register in that copy.
      build({ ...common, entryPoints: [`functions/${fn}/index.ts`], outfile: `dist/${fn}/index.js`, external: ['@google-cloud/functions-framework', ...RUNTIME_FILES] }),
    ]),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
