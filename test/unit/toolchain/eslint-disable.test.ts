import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHECK = join(__dirname, '..', '..', '..', 'scripts', 'check-eslint-disable.sh');
// Spelt in two parts, or the check would find these planted lines in this very file.
const D = ['eslint', 'disable'].join('-');

describe('scripts/check-eslint-disable.sh (part of make lint)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'eslint-disable-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    {
      name: 'a next-line directive with a reason',
      line: `// ${D}-next-line no-console -- the CLI prints`,
      passes: true,
    },
    { name: 'a file directive with a reason', line: `/* ${D} -- generated */`, passes: true },
    { name: 'a next-line directive without a reason', line: `// ${D}-next-line no-console`, passes: false },
    { name: 'a file directive without a reason', line: `/* ${D} */`, passes: false },
    { name: 'a reason marker with nothing after it', line: `// ${D}-line no-console -- `, passes: false },
  ])('when a file holds $name, then the check passes: $passes', ({ line, passes }) => {
    writeFileSync(join(dir, 'planted.ts'), `${line}\nexport const x = 1;\n`);

    const run = spawnSync('bash', [CHECK, dir], { encoding: 'utf8' });

    expect({ status: run.status, named: run.stderr.includes('planted.ts') }).toEqual(
      passes ? { status: 0, named: false } : { status: 1, named: true },
    );
  });
});
