/**
 * Production build into dist/ with esbuild. Per function:
 * - dist/<fn>/main.js: our launcher and the function in one bundle, started with `node` (make start, the image);
 * - dist/<fn>/index.js: the function module alone, for the stock `functions-framework --target=…` CLI.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

export const FUNCTIONS = ['send-mail', 'health', 'docs'] as const;

/**
 * kafkajs 2.2.4 (its last release) sets a timer to `throttledUntil - Date.now()`, negative while not
 * throttled; Node 24 then prints a TimeoutNegativeWarning on stderr at the first connection (kafkajs#1751)
 * and uses 1 ms. The bundles get that 1 ms written out: the same behaviour, without the warning.
 */
const KAFKAJS_TIMER = 'let scheduleAt = this.throttledUntil - Date.now()';
const kafkajsNegativeTimer: Plugin = {
  name: 'kafkajs-negative-timer',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]kafkajs[\\/]src[\\/]network[\\/]requestQueue[\\/]index\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes(KAFKAJS_TIMER)) throw new Error(`kafkajs changed: "${KAFKAJS_TIMER}" not found in ${path}; drop or update this patch`);
      return { contents: source.replace(KAFKAJS_TIMER, 'let scheduleAt = Math.max(1, this.throttledUntil - Date.now())'), loader: 'js' };
    });
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
