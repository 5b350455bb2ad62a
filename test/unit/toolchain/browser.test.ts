/** Chromium is looked up (CHROME_PATH, then PATH), not assumed at one path. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findChromium } from '../../support/browser';

let empty: string;
let dir: string;
beforeAll(() => {
  empty = mkdtempSync(join(tmpdir(), 'no-chrome-'));
  dir = mkdtempSync(join(tmpdir(), 'chrome-'));
  for (const name of ['chromium-browser', 'google-chrome']) {
    writeFileSync(join(dir, name), '#!/bin/sh\n');
    chmodSync(join(dir, name), 0o755);
  }
});
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

it.each([
  { name: 'CHROME_PATH is set', env: { CHROME_PATH: '/opt/chrome/chrome', PATH: '' }, found: '/opt/chrome/chrome' },
  {
    name: 'chromium-browser is on PATH',
    env: () => ({ PATH: [empty, dir].join(delimiter) }),
    found: () => join(dir, 'chromium-browser'),
  },
])('when $name, then that Chromium is used', ({ env, found }) => {
  const resolvedEnv = typeof env === 'function' ? env() : env;
  expect(findChromium(resolvedEnv)).toBe(typeof found === 'function' ? found() : found);
});

it('when no Chromium is on PATH and CHROME_PATH is unset, then it fails naming the package', () => {
  expect(() => findChromium({ PATH: empty })).toThrow(/apt-get install chromium/);
});
