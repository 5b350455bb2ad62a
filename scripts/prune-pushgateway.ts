/**
 * Deletes the Pushgateway groups of the mailer functions last pushed more than --older-than ago (default
 * 1h: Prometheus has scraped their final values many times by then). Run in the image as a CronJob:
 *
 *   node dist/tools/prune-pushgateway.js [--older-than=1h]        (PUSHGATEWAY_URL from the environment)
 *
 * Prints the groups it deleted; exit 0, or 1 when the Pushgateway could not be read or a delete failed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSettings, loadProcessConfig } from '../shared/config';
import { prunePushgateway } from '../shared/metrics';

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

async function main(): Promise<number> {
  const arg = process.argv.slice(2).find((candidate) => candidate.startsWith('--older-than='));
  const match = /^(\d+)([smh])$/.exec(arg?.slice('--older-than='.length) ?? '1h');
  if (match === null) {
    process.stderr.write('usage: prune-pushgateway [--older-than=<n>s|m|h]\n');
    return 2;
  }
  const config = loadProcessConfig(composeSettings('prune-pushgateway', []));
  if (config.PUSHGATEWAY_URL === undefined) {
    process.stderr.write('PUSHGATEWAY_URL is not set: nothing to prune\n');
    return 2;
  }
  const olderThanMs = Number(match[1]) * (UNITS[match[2] ?? 'h'] ?? 0);
  const deleted = await prunePushgateway(config.PUSHGATEWAY_URL, {
    before: new Date(Date.now() - olderThanMs),
    jobs: functionNames(),
    timeoutMs: config.PUSHGATEWAY_TIMEOUT_MS,
  });
  for (const group of deleted) process.stdout.write(`deleted ${JSON.stringify(group.labels)}\n`);
  process.stdout.write(`${deleted.length} groups deleted\n`);
  return 0;
}

/** The functions built beside this tool: dist/functions.txt (`<name> <bundle>` a line), as the image has no catalog to read. */
function functionNames(): string[] {
  return readFileSync(join(__dirname, '..', 'functions.txt'), 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
