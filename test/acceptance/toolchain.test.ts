/**
 * The toolchain a newcomer meets: the functions run on the Node that .nvmrc declares (the image's), and the
 * Makefile's front door (help, token, start, the prerequisites check) behaves as the README says. Each
 * make run is real, in this checkout, without the calling make's flags.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { FUNCTIONS } from '../../functions/catalog';
import { freePort, startChild } from '../support/processes';

const ROOT = join(__dirname, '..', '..');
const NODE_MAJOR = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

function make(
  args: string[],
  path = process.env.PATH ?? '',
): { status: number | null; stdout: string; stderr: string } {
  // A make running this suite passes its flags and jobserver down in MAKEFLAGS: not to this make.
  const env = { HOME: process.env.HOME ?? tmpdir(), PATH: path, TERM: 'dumb' };
  // stdin closed: on a socket, bash takes itself for a remote shell and reads /etc/bash.bashrc.
  const run = spawnSync('make', ['--no-print-directory', ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("when the production bundle runs under the project's tooling", () => {
  it(`then its process and its /metrics report Node ${NODE_MAJOR}, the major .nvmrc declares`, async () => {
    const port = await freePort();
    const fn = await startChild([join(ROOT, 'dist', 'health', 'main.js')], { PORT: String(port) }, port);
    try {
      const metrics = await (await fetch(`${fn.url}/metrics`)).text();
      const version = /^nodejs_version_info\{version="(v[\d.]+)"/m.exec(metrics)?.[1];
      expect(version).toMatch(new RegExp(`^v${NODE_MAJOR}\\.`));
      // The test runner spawns the bundles with its own node: make test runs it on .nvmrc's major too.
      expect(process.version).toBe(version);
    } finally {
      fn.child.kill('SIGTERM');
      await fn.exited;
    }
  });
});

it('when make help runs, then it lists every target that has a ## description', () => {
  const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
  const documented = [...makefile.matchAll(/^([^\s:#=]+):[^=\n]*## /gm)].map((match) => match[1]);
  const { status, stdout } = make(['-s', 'help']);

  expect(status).toBe(0);
  expect(documented).toContain('bench-node24');
  const listed = stdout
    .split('\n')
    .map((line) => /^ {2}make (\S+)/.exec(line)?.[1])
    .filter(Boolean);
  expect(listed).toEqual(documented);
});

describe('when make -s token has to reinstall first and npm writes to stdout', () => {
  let fakeBin: string;
  beforeAll(() => {
    fakeBin = mkdtempSync(join(tmpdir(), 'fake-npm-'));
    const npm = join(fakeBin, 'npm');
    writeFileSync(npm, '#!/bin/sh\necho "added 718 packages in 9s"\necho "npm warn something" >&2\n');
    chmodSync(npm, 0o755);
  });
  afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

  it('then stdout is the token alone', () => {
    // -W: make takes package-lock.json as just changed, so node_modules is stale and "npm ci" runs.
    const { status, stdout } = make(
      ['-s', '-W', 'package-lock.json', 'token', 'ROLE=admin', 'TTL=60'],
      `${fakeBin}${delimiter}${process.env.PATH ?? ''}`,
    );

    expect(status).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(JWT)]);
  });
});

describe('when make start runs', () => {
  it('without FUNCTION, then it refuses with a one-line usage before building anything', () => {
    const { status, stdout, stderr } = make(['start']);

    expect(status).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`usage: make start FUNCTION=${FUNCTIONS.map((entry) => entry.name).join('|')}`),
    ]);
  });

  it("with a FUNCTION not in functions/catalog.ts, then the usage names exactly the catalog's functions", () => {
    const { status, stderr } = make(['start', 'FUNCTION=no-such-function']);

    expect(status).not.toBe(0);
    expect(/FUNCTION=([a-z0-9|-]+)/.exec(stderr)?.[1]?.split('|')).toEqual(FUNCTIONS.map((entry) => entry.name));
  });

  it("with FUNCTION=send-mail, then it runs exactly the container's command", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    // -n prints the commands; -o build leaves the build out of it.
    const { status, stdout } = make(['-n', '-o', 'build', 'start', 'FUNCTION=send-mail']);

    expect(status).toBe(0);
    expect(stdout.trim()).toBe(`exec ${(JSON.parse(cmd ?? '[]') as string[]).join(' ')}`);
  });
});

describe('when a Debian package make test needs is missing', () => {
  let bin: string;
  beforeAll(() => {
    // Every listed tool but the Pushgateway and taskset.
    bin = mkdtempSync(join(tmpdir(), 'prerequisites-'));
    for (const tool of ['cc', 'pkg-config', 'promtool', 'chromium', 'unzip', 'redis-server', 'curl']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('then the check names each missing tool with the command that installs it, and fails', () => {
    const run = spawnSync('/bin/bash', [join(ROOT, 'scripts', 'prerequisites.sh')], {
      env: { PATH: bin },
      encoding: 'utf8',
    });

    // issue 27: sudo only for a user who is not root (a container or CI has none).
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`: ${sudo}apt-get install prometheus-pushgateway\n`);
    expect(run.stderr).toMatch(
      /^missing prometheus-pushgateway \(.+\): (sudo )?apt-get install prometheus-pushgateway$/m,
    );
    expect(run.stderr).toMatch(/^missing taskset \(.+\): (sudo )?apt-get install util-linux$/m);
    expect(run.stderr).not.toMatch(/^missing (promtool|unzip|redis-server)/m);
  });

  it('then --missing lists exactly those packages (what .ci/run installs)', () => {
    const run = spawnSync('/bin/bash', [join(ROOT, 'scripts', 'prerequisites.sh'), '--missing'], {
      env: { PATH: bin },
      encoding: 'utf8',
    });

    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(['prometheus-pushgateway', 'util-linux']);
  });
});

it('when npm test or npm start runs, then it calls the Makefile, which never calls npm back', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');

  // issue 27: npm start without FUNCTION starts the local server, as a Node user expects.
  expect({ test: scripts.test, start: scripts.start }).toEqual({
    test: 'make test',
    start: 'if [ -n "$FUNCTION" ]; then make start; else make dev; fi',
  });
  expect(makefile.match(/\bnpm (test|start|run|t)\b/g)).toBeNull();
});

it('when make test runs, then the lint, the type-aware lint rules and the formatter check are part of it', () => {
  const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
  const prerequisites = /^test: (.*?) ##/m.exec(makefile)?.[1]?.split(' ') ?? [];

  expect(prerequisites).toEqual(expect.arrayContaining(['lint', 'format-check', 'typecheck']));
  expect(prerequisites.indexOf('format-check')).toBeGreaterThan(prerequisites.indexOf('lint'));
  const eslintConfig = readFileSync(join(ROOT, 'eslint.config.mjs'), 'utf8');
  for (const rule of ['no-floating-promises', 'no-misused-promises', 'switch-exhaustiveness-check'])
    expect(eslintConfig).toContain(`'@typescript-eslint/${rule}': `);
  expect(eslintConfig).toContain('projectService: true');
});

it('when make test and .ci/run start, then both use the one prerequisites list and the Node make provides', () => {
  const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');

  expect(/^test: (\S+)/m.exec(makefile)?.[1]).toBe('prerequisites');
  expect(ci).toContain('scripts/prerequisites.sh --missing');
  // Node comes before npm ci, from the Makefile.
  const node = ci.search(/^PATH="\$\(make -s --no-print-directory node-bin\):\$PATH"$/m);
  expect(node).toBeGreaterThan(-1);
  expect(node).toBeLessThan(ci.search(/^npm ci /m));
});

describe('issue 27: the commands a newcomer types', () => {
  it('when make token gets a TTL that is no number of seconds, then it fails naming TTL', () => {
    const run = make(['-s', 'token', 'TTL=abc']);

    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('TTL');
  });

  it('when npm start runs without FUNCTION, then it runs make dev; with one, make start', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const dry = (fn?: string): string =>
      spawnSync('sh', ['-c', (scripts.start ?? '').replace(/\bmake\b/g, 'echo make')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...(fn === undefined ? {} : { FUNCTION: fn }) },
      }).stdout.trim();

    expect(dry()).toBe('make dev');
    expect(dry('send-mail')).toBe('make start');
  });

  it('when make manifests runs, then stdout holds only the YAML: the echo and the note go elsewhere', () => {
    const run = make(['-s', 'manifests', 'ENV=production']);

    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^(apiVersion|kind): /);
    expect(run.stdout).not.toMatch(/^(kubectl|make|#)/m);
    expect(run.stderr).toContain('dist/manifests-production.yaml');
  });
});

describe("make test's quiet filter (scripts/quiet.sh)", () => {
  const quiet = (print: string): number | null => {
    const dir = mkdtempSync(join(tmpdir(), 'quiet-'));
    try {
      const run = spawnSync(
        'bash',
        [join(ROOT, 'scripts', 'quiet.sh'), join(dir, 'run.log'), 'printf', '%s\n', print],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      return run.status;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it.each([
    'Jest did not exit one second after the test run has completed.',
    '(node:123) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.',
    '(node:123) MaxListenersExceededWarning: Possible EventEmitter memory leak detected.',
  ])('when a passing run prints %j, then it fails', (line) => {
    expect(quiet(line)).toBe(1);
  });

  it('when a passing run prints no tool warning, then it passes', () => {
    expect(quiet('Tests: 3 passed, 3 total')).toBe(0);
  });
});
