/**
 * `make kn-deploy ENV=…`: deploys the same rendered manifests with kn. kubectl applies what kn does not
 * manage (Namespace, ConfigMap, Secret, HTTPRoute, the migration Job, the CronJobs); each Knative Service goes
 * through `kn service create --force`.
 * With --dry-run (`make kn-deploy DRY_RUN=1`) it prints the commands instead of running them. Without kn on
 * PATH it says in one line where to get it, before anything is applied.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const ENVIRONMENTS = ['dev', 'staging', 'production'];

function main(argv: string[]): void {
  const env = argv[argv.indexOf('--env') + 1] ?? '';
  const dryRun = argv.includes('--dry-run');
  if (!ENVIRONMENTS.includes(env)) throw new Error(`--env must be one of ${ENVIRONMENTS.join(', ')}`);
  if (!dryRun && !onPath('kn')) {
    process.stderr.write(
      'make kn-deploy needs kn, the Knative CLI (https://knative.dev/docs/client/install-kn/); make deploy applies the same manifests with kubectl alone\n',
    );
    process.exit(1);
  }
  const rendered = execFileSync('kubectl', ['kustomize', `knative/overlays/${env}`], { encoding: 'utf8' });
  const objects = parseAllDocuments(rendered).map(
    (doc) => doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string; namespace: string } },
  );
  const dir = mkdtempSync(join(tmpdir(), `kn-deploy-${env}-`));
  const others = objects.filter(
    (object) => !(object.apiVersion === 'serving.knative.dev/v1' && object.kind === 'Service'),
  );
  const othersFile = join(dir, 'supporting.yaml');
  writeFileSync(othersFile, others.map((object) => stringify(object)).join('---\n'));
  const commands: string[][] = [['kubectl', 'apply', '-f', othersFile]];
  for (const service of objects.filter((object) => !others.includes(object))) {
    const file = join(dir, `${service.metadata.name}.yaml`);
    writeFileSync(file, stringify(service));
    commands.push([
      'kn',
      'service',
      'create',
      service.metadata.name,
      '--filename',
      file,
      '--force',
      '--namespace',
      service.metadata.namespace,
    ]);
  }
  for (const command of commands) {
    process.stdout.write(`${command.join(' ')}\n`);
    if (!dryRun) execFileSync(command[0] ?? '', command.slice(1), { stdio: 'inherit' });
  }
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

main(process.argv.slice(2));
