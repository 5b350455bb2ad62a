/**
 * Which npm packages a bundle ran code of: V8's coverage of the process (NODE_V8_COVERAGE, written when it
 * exits normally), each executed function mapped through the bundle's source map to its original file.
 * esbuild wraps a lazily required module in a function, so a package never required runs no function.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly { startOffset: number; count: number }[] }[];
}

export function loadedPackages(coverageDir: string, bundle: string): Set<string> {
  const url = pathToFileURL(bundle).href;
  const text = readFileSync(bundle, 'utf8');
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as never);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const position = (offset: number): [number, number] => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return [low, offset - (lineStarts[low] ?? 0)];
  };
  const packages = new Set<string>();
  for (const file of readdirSync(coverageDir)) {
    const { result } = JSON.parse(readFileSync(join(coverageDir, file), 'utf8')) as { result: ScriptCoverage[] };
    for (const script of result.filter((entry) => entry.url === url)) {
      for (const fn of script.functions) {
        const range = fn.ranges[0];
        if (range === undefined || range.count === 0) continue;
        const source = (map.findEntry(...position(range.startOffset)) as { originalSource?: string }).originalSource;
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source ?? '');
        if (match?.[1] !== undefined) packages.add(match[1]);
      }
    }
  }
  return packages;
}
