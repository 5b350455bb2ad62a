/**
 * What a rendered Knative Service hands its function: the files its CONFIG_FILE and SECRETS_FILE name,
 * read from the ConfigMap and Secrets mounted at those paths, and every Secret key it gets. The secret
 * ownership check compares the Secret keys with the function's own schema.
 */
import type { ValidatorSpec } from 'envalid';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readYamlSettings, type SourceProblem } from '../../shared/config/sources';
import type { FunctionSettings } from '../../shared/config';
import type { K8sObject } from './manifests';

type EnvEntry = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
type Volume = {
  name: string;
  configMap?: { name: string; items?: { key: string; path: string }[] };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
};
export type KnativeService = K8sObject & {
  spec: {
    template: {
      spec: {
        containers: { env?: EnvEntry[]; envFrom?: unknown[]; volumeMounts?: { name: string; mountPath: string }[] }[];
        volumes?: Volume[];
      };
    };
  };
};

/** The YAML a Secret holds under `secrets.yaml`, by the Secret's name: rendered (dev) or documented (staging, production). */
export type SecretFiles = (secretName: string) => string | undefined;

export const isKnativeService = (object: K8sObject): object is KnativeService =>
  object.kind === 'Service' && object.apiVersion === 'serving.knative.dev/v1';

/**
 * The example Secrets of an environment that takes its Secrets from the cluster's store (staging, production,
 * an example): `<dir>/secrets/<name>.example.yaml` holds Secret `<name>`'s one key, `secrets.yaml`.
 */
export function exampleSecretFiles(dir: string): SecretFiles {
  return (name) => {
    const file = join(dir, 'secrets', `${name}.example.yaml`);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
}

/** The rendered Secrets' `secrets.yaml`, decoded, by the Secret's name (hash suffix included). */
export function renderedSecretFiles(objects: readonly K8sObject[]): SecretFiles {
  return (name) => {
    const secret = objects.find(
      (object): object is K8sObject & { data?: Record<string, string> } =>
        object.kind === 'Secret' && object.metadata.name === name,
    );
    const data = secret?.data?.['secrets.yaml'];
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
  };
}

/** The files a Service's container can read, by absolute path: its ConfigMap and Secret volumes, key by key. */
export function mountedFiles(
  service: KnativeService,
  objects: readonly K8sObject[],
  secretFiles: SecretFiles,
): Record<string, string> {
  const [container] = service.spec.template.spec.containers;
  const files: Record<string, string> = {};
  for (const mount of container?.volumeMounts ?? []) {
    const volume = service.spec.template.spec.volumes?.find((candidate) => candidate.name === mount.name);
    if (volume?.configMap) {
      const configMap = objects.find(
        (object) => object.kind === 'ConfigMap' && object.metadata.name === volume.configMap?.name,
      ) as (K8sObject & { data: Record<string, string> }) | undefined;
      const items = volume.configMap.items ?? Object.keys(configMap?.data ?? {}).map((key) => ({ key, path: key }));
      for (const item of items) {
        const text = configMap?.data[item.key];
        if (text !== undefined) files[`${mount.mountPath}/${item.path}`] = text;
      }
    }
    if (volume?.secret) {
      const text = secretFiles(volume.secret.secretName);
      if (text !== undefined) files[`${mount.mountPath}/secrets.yaml`] = text;
    }
  }
  return files;
}

/** The environment a Service sets literally (CONFIG_FILE, SECRETS_FILE, …). */
export function literalEnv(service: KnativeService): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of service.spec.template.spec.containers[0]?.env ?? [])
    if (entry.value !== undefined) env[entry.name] = entry.value;
  return env;
}

/**
 * Every setting a Service gets from a Secret: the settings in each mounted Secret's file (whether or not
 * SECRETS_FILE names it: mounted is readable), and each variable taken from a Secret key.
 */
export function secretKeysOf(service: KnativeService, secretFiles: SecretFiles): string[] {
  const keys: string[] = [];
  for (const volume of service.spec.template.spec.volumes ?? []) {
    if (!volume.secret) continue;
    const text = secretFiles(volume.secret.secretName) ?? '';
    keys.push(...Object.keys(readYamlSettings('secrets.yaml', () => text, [] as SourceProblem[])));
  }
  for (const entry of service.spec.template.spec.containers[0]?.env ?? [])
    if (entry.valueFrom?.secretKeyRef) keys.push(entry.name);
  if ((service.spec.template.spec.containers[0]?.envFrom ?? []).length > 0)
    keys.push('(envFrom: every key of a Secret or ConfigMap)');
  return keys;
}

/**
 * The secret-ownership check: a Service may get from a Secret only what its function's schema declares as
 * a secret setting, and must get each secret setting its schema requires in `environment`.
 */
export function secretOwnershipProblems(
  service: string,
  secretKeys: readonly string[],
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function's schema (see AnySettingsFragment)
  settings: FunctionSettings<any>,
  /** What a conditional requirement is judged on: at least ENVIRONMENT. */
  context: Readonly<Record<string, unknown>>,
): string[] {
  const problems = secretKeys
    .filter((key) => !settings.secrets.has(key))
    .map((key) => `${service}: gets ${key} from a Secret, which its schema does not declare as a secret setting`);
  const specs = settings.specs as Readonly<
    Record<string, ValidatorSpec<unknown> & { requiredWhen?: (env: Record<string, unknown>) => boolean | undefined }>
  >;
  for (const name of settings.secrets) {
    const spec = specs[name];
    const required = spec !== undefined && (!('default' in spec) || spec.requiredWhen?.({ ...context }) === true);
    if (required && !secretKeys.includes(name))
      problems.push(
        `${service}: lacks ${name}, a secret setting its schema requires in ${String(context.ENVIRONMENT)}`,
      );
  }
  return problems;
}
