/**
 * `make kn-deploy ENV=…`: deploys the same rendered manifests with kn. kubectl applies what kn does not
 * manage (ConfigMap, Secret, HTTPRoute); each Knative Service goes through `kn service create --force`.
 * With --dry-run it prints the commands instead of running them.
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

main(process.argv.slice(2));
