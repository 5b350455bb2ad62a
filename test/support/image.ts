/**
 * What the image's runtime stage sets, read from the Dockerfile so the tests and benchmarks run the bundles
 * the way the image does instead of keeping a second copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DOCKERFILE = join(__dirname, '..', '..', 'Dockerfile');

/** `ENV NAME=value …` lines of the last stage (values without spaces or quotes, as the Dockerfile writes them). */
export function imageRuntimeEnv(): Record<string, string> {
  const stages = readFileSync(DOCKERFILE, 'utf8').split(/^FROM /m);
  const runtime = stages.at(-1) ?? '';
  const env: Record<string, string> = {};
  for (const [, assignments] of runtime.matchAll(/^ENV (.+)$/gm))
    for (const [, name, value] of (assignments ?? '').matchAll(/(\w+)=(\S+)/g)) env[name ?? ''] = value ?? '';
  return env;
}

/** The allocator the image preloads (LD_PRELOAD), as an environment to spread into a child's. */
export function imageAllocatorEnv(): Record<string, string> {
  const preload = imageRuntimeEnv().LD_PRELOAD;
  return preload === undefined ? {} : { LD_PRELOAD: preload };
}
