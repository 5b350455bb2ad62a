/**
 * The Knative manifests of every environment, rendered with kubectl kustomize and checked before any
 * cluster sees them: CRD schemas, the invariants each environment must keep, and the configuration
 * against the config schema the functions load.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleOf, FUNCTIONS, functionNamed, type PublicPath } from '../../functions/catalog';
import { DOCS_REDIRECTS } from '../../functions/docs/site';
import { healthSettings } from '../../functions/health/settings';
import { eventTransport } from '../../shared/events/transport';
import { feedbackSettings } from '../../functions/feedback/settings';
import { migrateSettings } from '../../scripts/migrate';
import { sendMailSettings, type SendMailConfig } from '../../functions/send-mail/settings';
import { parse } from 'yaml';
import { ConfigError, loadConfig, type AnyFunctionSettings, type Config, type Specs } from '../../shared/config';
import { readYamlSettings, type SourceProblem } from '../../shared/config/sources';
import { execFileSync } from 'node:child_process';
import { crdProblems, isCrdKind, render, REPO, type K8sObject } from '../support/manifests';
import {
  exampleSecretFiles,
  literalEnv,
  mountedFiles,
  renderedSecretFiles,
  secretKeysOf,
  secretOwnershipProblems,
  type KnativeService as ServiceWithVolumes,
  type SecretFiles,
} from '../support/service-settings';
import { request } from '../support/http-client';
import { freePort, startChild } from '../support/processes';

const ENVIRONMENTS = ['dev', 'staging', 'production'] as const;
/** Each Service's function and its schema. */
/** Each Service's schema, from the catalog (a fourth function's Service is judged by its own without a change here). */
const SETTINGS: Record<string, AnyFunctionSettings> = {};
beforeAll(async () => {
  for (const fn of FUNCTIONS) SETTINGS[fn.name] = await fn.loadSettings();
});
function settingsOf(name: string): AnyFunctionSettings {
  const settings = SETTINGS[name];
  if (settings === undefined) throw new Error(`no function named ${name} in functions/catalog.ts`);
  return settings;
}
const NAMES = FUNCTIONS.map((entry) => entry.name);
const rendered = Object.fromEntries(ENVIRONMENTS.map((env) => [env, render(`knative/overlays/${env}`)])) as Record<
  (typeof ENVIRONMENTS)[number],
  K8sObject[]
>;

type Container = {
  image: string;
  command: string[];
  env?: { name: string; value?: string }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: object; limits?: object };
  securityContext?: Record<string, unknown>;
};
type HttpRoute = K8sObject & {
  spec: { rules: { matches: { path: PublicPath }[]; backendRefs: { name: string; port: number }[] }[] };
};
type KnativeService = K8sObject & {
  metadata: { labels: Record<string, string> };
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        containers: Container[];
        containerConcurrency?: number;
        timeoutSeconds?: number;
        securityContext?: Record<string, unknown>;
      };
    };
  };
};

const services = (objects: K8sObject[]): KnativeService[] =>
  objects.filter(
    (object) => object.kind === 'Service' && object.apiVersion === 'serving.knative.dev/v1',
  ) as KnativeService[];
const ofKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((object) => object.kind === kind);

describe.each(ENVIRONMENTS)('the %s overlay', (env) => {
  const objects = rendered[env];

  it('when rendered, then every CRD object is valid against its upstream schema', () => {
    const crdObjects = objects.filter(isCrdKind);
    expect(crdObjects.map((object) => object.kind).sort()).toEqual(['HTTPRoute', ...NAMES.map(() => 'Service')]);
    for (const object of crdObjects)
      expect({ name: object.metadata.name, problems: crdProblems(object) }).toEqual({
        name: object.metadata.name,
        problems: [],
      });
  });

  it('when rendered, then each function scales to zero, is cluster-local, probed, bounded and locked down', () => {
    expect(
      services(objects)
        .map((service) => service.metadata.name)
        .sort(),
    ).toEqual([...NAMES].sort());
    for (const service of services(objects)) {
      const { annotations } = service.spec.template.metadata;
      const pod = service.spec.template.spec;
      const [container] = pod.containers;
      expect(service.metadata.namespace).toBe(`mailer-${env}`);
      expect(service.metadata.labels['networking.knative.dev/visibility']).toBe('cluster-local');
      expect(annotations['autoscaling.knative.dev/min-scale']).toBe('0');
      expect(Number(annotations['autoscaling.knative.dev/max-scale'])).toBeGreaterThan(0);
      expect(Number(annotations['autoscaling.knative.dev/target'])).toBeGreaterThan(0);
      expect(pod.containerConcurrency).toBeGreaterThan(0);
      expect(pod.timeoutSeconds).toBeGreaterThan(0);
      expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(container?.livenessProbe?.httpGet?.path).toBe('/livez');
      expect(container?.resources?.requests).toBeDefined();
      expect(container?.resources?.limits).toBeDefined();
      expect(container?.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container?.command).toEqual([
        'node',
        bundleOf(functionNamed(service.metadata.name)?.entries.launcher ?? 'no such function'),
      ]);
      expect(literalEnv(service as unknown as ServiceWithVolumes).CONFIG_FILE).toMatch(
        /^\/etc\/mailer\/config\/common\.yaml(,|$)/,
      );
    }
  });

  it("when rendered, then the public host routes exactly the catalog's public paths, each to its function's Service", () => {
    const routes = ofKind(objects, 'HTTPRoute') as HttpRoute[];
    expect(routes).toHaveLength(1);
    expect(routedPaths(routes[0] as HttpRoute)).toEqual(cataloguedPaths());
  });

  it('when rendered, then every path the docs function redirects to Swagger UI reaches docs', () => {
    const [route] = ofKind(objects, 'HTTPRoute') as HttpRoute[];
    const toDocs =
      route?.spec.rules
        .filter((rule) => rule.backendRefs[0]?.name === 'docs')
        .flatMap((rule) => rule.matches.map((match) => match.path)) ?? [];
    const reaches = (path: string): boolean =>
      toDocs.some((match) =>
        match.type === 'Exact' ? match.value === path : path === match.value || path.startsWith(`${match.value}/`),
      );

    expect(DOCS_REDIRECTS.filter((path) => !reaches(path))).toEqual([]);
  });

  it.each(NAMES)(
    'when rendered, then the %s Service configuration loads against its own schema, and its secrets come only from its Secret',
    (name) => {
      const { service, settings, files, config } = loadedService(secretFilesOf(env, objects), objects, name);
      expect(config.ENVIRONMENT).toBe(env);
      expect(config.LOG_FORMAT).toBe('ecs');

      const configPaths = (literalEnv(service).CONFIG_FILE ?? '').split(',');
      const configKeys = configPaths.flatMap((path) =>
        Object.keys(readYamlSettings(path, (file) => files[file] ?? '', [] as SourceProblem[])),
      );
      expect(configKeys.filter((key) => settings.secrets.has(key))).toEqual([]);
      expect(Object.keys(literalEnv(service)).filter((key) => settings.secrets.has(key))).toEqual([]);
    },
  );

  it('when rendered, then every Service gets only the Secret keys its own schema declares, and every secret it requires', () => {
    expect(ownershipProblems(env, objects, secretFilesOf(env, objects))).toEqual([]);
  });

  it('when rendered, then docs mounts no Secret at all', () => {
    const docs = services(objects).find((service) => service.metadata.name === 'docs') as unknown as ServiceWithVolumes;
    expect((docs.spec.template.spec.volumes ?? []).filter((volume) => volume.secret !== undefined)).toEqual([]);
    expect(literalEnv(docs).SECRETS_FILE).toBeUndefined();
  });

  it('when rendered, then send-mail signs every mail with DKIM: domain and selector in its config, the key in its Secret', () => {
    const { config } = loadedService(secretFilesOf(env, objects), objects, 'send-mail');
    const dkim = config as Record<string, unknown>;

    expect(dkim.DKIM_DOMAIN).toEqual(expect.any(String));
    expect(dkim.DKIM_SELECTOR).toEqual(expect.any(String));
    expect(dkim.DKIM_PRIVATE_KEY).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('when send-mail and health read the same setting, then their Services give it the same value', () => {
    const sendMail = loadedService(secretFilesOf(env, objects), objects, 'send-mail').config as Record<string, unknown>;
    const health = loadedService(secretFilesOf(env, objects), objects, 'health').config as Record<string, unknown>;
    const shared = Object.keys(healthSettings.specs).filter(
      (key) => key in sendMailSettings.specs && !['CONFIG_FILE', 'SECRETS_FILE'].includes(key),
    );
    expect(shared).toEqual(expect.arrayContaining(['SMTP_URL', 'KAFKA_BROKERS', 'AUTH_ISSUER']));
    for (const key of shared) expect({ key, value: health[key] }).toEqual({ key, value: sendMail[key] });
  });
});

/**
 * A Service's function, its schema, the files it can read and the configuration it loads from them;
 * `secrets` are the Secrets' files (an overlay's, or an example's), `injected` what the cluster adds to
 * the environment (a SinkBinding's K_SINK).
 */
function loadedService(
  secrets: SecretFiles,
  objects: K8sObject[],
  name: string,
  injected: Record<string, string> = {},
): {
  service: ServiceWithVolumes;
  settings: AnyFunctionSettings;
  files: Record<string, string>;
  config: Config<Specs>;
} {
  const service = services(objects).find(
    (candidate) => candidate.metadata.name === name,
  ) as unknown as ServiceWithVolumes;
  const settings = settingsOf(name);
  try {
    return { service, settings, ...loadedWorkload(service, objects, secrets, settings, injected) };
  } catch (err) {
    throw new Error(`${name}: ${err instanceof ConfigError ? err.message : String(err)}`);
  }
}

/** A workload's (a Service's, a Job's) settings, loaded as its pod would: from the files it mounts and its CONFIG_FILE/SECRETS_FILE. */
function loadedWorkload(
  workload: ServiceWithVolumes,
  objects: K8sObject[],
  secrets: SecretFiles,
  settings: AnyFunctionSettings,
  injected: Record<string, string> = {},
): { files: Record<string, string>; config: Config<Specs> } {
  const files = mountedFiles(workload, objects, secrets);
  const { CONFIG_FILE, SECRETS_FILE } = literalEnv(workload);
  const config = loadConfig(
    settings,
    { CONFIG_FILE, SECRETS_FILE, ...injected },
    {
      readFile: (path) => {
        const text = files[path];
        if (text === undefined) throw Object.assign(new Error(`not mounted: ${path}`), { code: 'ENOENT' });
        return text;
      },
    },
  ) as unknown as Config<Specs>;
  return { files, config };
}

/** Each match of the route as `type value -> backend:port`; a rule with other than one backend is listed as such. */
function routedPaths(route: HttpRoute): string[] {
  return route.spec.rules
    .flatMap((rule) => {
      const backends = rule.backendRefs.map((backend) => `${backend.name}:${backend.port}`).join(',');
      return rule.matches.map((match) => `${match.path.type} ${match.path.value} -> ${backends}`);
    })
    .sort();
}

function cataloguedPaths(): string[] {
  return FUNCTIONS.flatMap((entry) =>
    entry.publicPaths.map((path) => `${path.type} ${path.value} -> ${entry.name}:80`),
  ).sort();
}

describe('the HTTPRoute check', () => {
  const route = (): HttpRoute => structuredClone(ofKind(rendered.dev, 'HTTPRoute')[0]) as HttpRoute;

  const swapBackends = (r: HttpRoute): void => {
    const [first, second] = r.spec.rules;
    if (first && second) [first.backendRefs, second.backendRefs] = [second.backendRefs, first.backendRefs];
  };
  const firstMatch = (r: HttpRoute): { path: PublicPath } => r.spec.rules[0]?.matches[0] as { path: PublicPath };

  it.each([
    {
      name: 'a path the catalog does not list',
      plant: (r: HttpRoute) => void r.spec.rules[0]?.matches.push({ path: { type: 'Exact', value: '/admin' } }),
    },
    { name: 'public paths sent to another Service', plant: swapBackends },
    { name: 'a catalogued path missing', plant: (r: HttpRoute) => void r.spec.rules[0]?.matches.pop() },
    {
      name: 'an Exact path turned into a PathPrefix',
      plant: (r: HttpRoute) => void (firstMatch(r).path = { ...firstMatch(r).path, type: 'PathPrefix' }),
    },
  ])('when the route has $name, then it no longer matches the catalog', ({ plant }) => {
    const planted = route();
    plant(planted);

    expect(routedPaths(planted)).not.toEqual(cataloguedPaths());
  });
});

/** The secret-ownership check over every Service of one rendered overlay. */
function ownershipProblems(
  env: (typeof ENVIRONMENTS)[number],
  objects: K8sObject[],
  secretFiles: SecretFiles,
): string[] {
  return services(objects).flatMap((candidate) => {
    const service = candidate as unknown as ServiceWithVolumes;
    const name = service.metadata.name;
    // Judged on the environment alone: a planted key would stop the configuration from loading at all.
    return secretOwnershipProblems(name, secretKeysOf(service, secretFiles), settingsOf(name), { ENVIRONMENT: env });
  });
}

/** Dev renders its Secrets (from the committed, fake files); staging and production document each in secrets/<name>.example.yaml. */
function secretFilesOf(env: string, objects: K8sObject[]): SecretFiles {
  const secrets = ofKind(objects, 'Secret');
  if (env === 'dev') {
    expect(secrets.map((secret) => secret.metadata.name.replace(/-[a-z0-9]{10}$/, '')).sort()).toEqual([
      'feedback-secrets',
      'health-secrets',
      'migrate-secrets',
      'send-mail-secrets',
    ]);
    return renderedSecretFiles(objects);
  }
  // Staging and production: the Secrets come from the cluster's secret store; the example lists each one's keys.
  expect(secrets).toEqual([]);
  return exampleSecretFiles(join(REPO, 'knative', 'overlays', env));
}

describe('the secret-ownership check', () => {
  it('when a key health does not declare is planted in its Secret, then the check names it', () => {
    const objects = structuredClone(rendered.dev);
    const secret = objects.find(
      (object) => object.kind === 'Secret' && object.metadata.name.startsWith('health-secrets'),
    ) as K8sObject & { data: Record<string, string> };
    const planted = `${Buffer.from(secret.data['secrets.yaml'] ?? '', 'base64').toString('utf8')}\ndkim:\n  privateKey: planted\n`;
    secret.data['secrets.yaml'] = Buffer.from(planted).toString('base64');

    expect(ownershipProblems('dev', objects, renderedSecretFiles(objects))).toEqual([
      expect.stringMatching(/^health: gets DKIM_PRIVATE_KEY from a Secret/),
    ]);
  });

  it("when docs is given send-mail's Secret, then the check names every key docs does not declare", () => {
    const objects = structuredClone(rendered.production);
    const docs = objects.find((object) => isKnativeServiceNamed(object, 'docs')) as unknown as ServiceWithVolumes;
    docs.spec.template.spec.volumes?.push({ name: 'planted', secret: { secretName: 'send-mail-secrets' } });

    expect(ownershipProblems('production', objects, secretFilesOf('production', objects))).toEqual(
      [
        'SMTP_URL',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
        'BOUNCE_VERP_SECRET',
        'IDEMPOTENCY_REDIS_URL',
        'DKIM_PRIVATE_KEY',
      ].map((key) => `docs: gets ${key} from a Secret, which its schema does not declare as a secret setting`),
    );
  });

  it('when a secret send-mail requires is missing from its Secret, then the check names it', () => {
    const objects = structuredClone(rendered.staging);
    const example = exampleSecretFiles(join(REPO, 'knative', 'overlays', 'staging'));
    const withoutSmtp: SecretFiles = (name) =>
      name === 'send-mail-secrets'
        ? JSON.stringify({ kafka: (parse(example(name) ?? '{}') as Record<string, unknown>).kafka })
        : example(name);
    const sendMail = services(objects).find(
      (service) => service.metadata.name === 'send-mail',
    ) as unknown as ServiceWithVolumes;

    expect(
      secretOwnershipProblems('send-mail', secretKeysOf(sendMail, withoutSmtp), sendMailSettings, {
        ENVIRONMENT: 'staging',
      }),
    ).toEqual(['send-mail: lacks SMTP_URL, a secret setting its schema requires in staging']);
  });
});

function isKnativeServiceNamed(object: K8sObject, name: string): boolean {
  return object.kind === 'Service' && object.apiVersion === 'serving.knative.dev/v1' && object.metadata.name === name;
}

describe('production', () => {
  it('when rendered, then every image is pinned by digest and no HS256 secret exists anywhere', () => {
    for (const service of services(rendered.production))
      expect(service.spec.template.spec.containers[0]?.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    const everything =
      JSON.stringify(rendered.production) +
      ['send-mail-secrets', 'health-secrets']
        .map((name) => exampleSecretFiles(join(REPO, 'knative', 'overlays', 'production'))(name) ?? '')
        .join('\n');
    expect(everything).not.toMatch(/hs256/i);
  });
});

it('when a field is misspelt, then schema validation catches it', () => {
  const service = structuredClone(services(rendered.dev)[0]) as KnativeService;
  (service.spec.template.spec.containers[0] as unknown as Record<string, unknown>).readinesProbe = {
    httpGet: { path: '/readyz' },
  };

  expect(crdProblems(service).join('\n')).toMatch(/readinesProbe/);
});

it('when the example KafkaSource is rendered, then it is valid against the KafkaSource CRD', () => {
  const [source] = render('knative/examples/kafkasource');
  expect(source?.kind).toBe('KafkaSource');
  expect(crdProblems(source as K8sObject)).toEqual([]);
});

describe('issue 18: production Knative settings', () => {
  const sendMailOf = (env: (typeof ENVIRONMENTS)[number]): KnativeService =>
    services(rendered[env]).find((candidate) => candidate.metadata.name === 'send-mail') as KnativeService;

  it('when production is rendered, then send-mail waits before scaling to zero, and the routing layer waits for its first byte longer than its own budget but not past the revision timeout', () => {
    const service = sendMailOf('production');
    const { config } = loadedService(
      secretFilesOf('production', rendered.production),
      rendered.production,
      'send-mail',
    );
    const pod = service.spec.template.spec as { responseStartTimeoutSeconds?: number; timeoutSeconds?: number };

    expect(service.spec.template.metadata.annotations['autoscaling.knative.dev/scale-down-delay']).toMatch(/^\d+m$/);
    expect(pod.responseStartTimeoutSeconds).toBeGreaterThan(Number(config.REQUEST_TIMEOUT_SECONDS));
    expect(pod.responseStartTimeoutSeconds).toBeLessThanOrEqual(pod.timeoutSeconds ?? 0);
  });

  it('when production is rendered, then the hard concurrency limit sits above the soft target (a bound for memory, not the scaling signal)', () => {
    const service = sendMailOf('production');
    expect(service.spec.template.spec.containerConcurrency).toBeGreaterThan(
      Number(service.spec.template.metadata.annotations['autoscaling.knative.dev/target']),
    );
  });

  it.each(ENVIRONMENTS)(
    'when %s is rendered, then a CronJob prunes stale Pushgateway groups with a tool the build ships',
    (env) => {
      const [cron] = ofKind(rendered[env], 'CronJob') as (K8sObject & {
        spec: { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } };
      })[];
      const [container] = cron?.spec.jobTemplate.spec.template.spec.containers ?? [];
      const tool = container?.command.find((arg) => arg.startsWith('dist/')) ?? 'none';

      expect(container?.command.slice(0, 2)).toEqual(['node', 'dist/tools/prune-pushgateway.js']);
      expect(existsSync(join(REPO, tool))).toBe(true);
      expect(container?.env).toEqual([{ name: 'CONFIG_FILE', value: '/etc/mailer/config/common.yaml' }]);
    },
  );

  it.each(ENVIRONMENTS)(
    'when %s is rendered, then the producers (send-mail, feedback) create topics only in dev',
    (env) => {
      for (const name of ['send-mail', 'feedback']) {
        const { config } = loadedService(secretFilesOf(env, rendered[env]), rendered[env], name);
        expect({ name, creates: config.KAFKA_ALLOW_AUTO_TOPIC_CREATION }).toEqual({ name, creates: env === 'dev' });
      }
    },
  );
});

describe('issue 18: events over HTTP to a KafkaSink or a Broker', () => {
  const examples = {
    kafkasink: render('knative/examples/kafkasink'),
    broker: render('knative/examples/broker'),
  };
  const secretFiles: SecretFiles = exampleSecretFiles(join(REPO, 'knative', 'examples', 'kafkasink'));

  it.each(Object.keys(examples) as (keyof typeof examples)[])(
    'when the %s example is rendered, then every object of a CRD kind is valid against its upstream CRD',
    (name) => {
      const objects = examples[name];
      const kinds = objects.filter(isCrdKind).map((object) => object.kind);
      expect(kinds).toEqual(
        expect.arrayContaining(
          name === 'kafkasink'
            ? ['KafkaSink', 'SinkBinding', 'Service']
            : ['Broker', 'Trigger', 'SinkBinding', 'Service'],
        ),
      );
      if (name === 'broker') expect(kinds).not.toContain('KafkaSink');
      for (const object of objects.filter(isCrdKind))
        expect({ kind: object.kind, problems: crdProblems(object) }).toEqual({ kind: object.kind, problems: [] });
    },
  );

  it.each(Object.keys(examples) as (keyof typeof examples)[])(
    'when the %s example is rendered, then its SinkBindings bind send-mail and feedback, each to a sink in its namespace',
    (name) => {
      const bindings = ofKind(examples[name], 'SinkBinding') as (K8sObject & {
        spec: {
          subject: { apiVersion: string; kind: string; name: string };
          sink: { ref: { kind: string; name: string } };
        };
      })[];
      expect(bindings.map((binding) => binding.spec.subject).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'feedback' },
        { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'send-mail' },
      ]);
      for (const binding of bindings) {
        const sink = examples[name].find(
          (object) => object.kind === binding.spec.sink.ref.kind && object.metadata.name === binding.spec.sink.ref.name,
        );
        expect({ binding: binding.metadata.name, namespace: sink?.metadata.namespace }).toEqual({
          binding: binding.metadata.name,
          namespace: binding.metadata.namespace,
        });
      }
    },
  );

  it('when send-mail loads the KafkaSink example with K_SINK as the SinkBinding injects it, then it sends over http, with no Kafka setting and no Kafka secret', () => {
    const { service, config } = loadedService(secretFiles, examples.kafkasink, 'send-mail', {
      K_SINK: 'http://kafka-sink-ingress.knative-eventing.svc.cluster.local/mailer-production/mailer-email-sent',
    });

    expect(eventTransport(config as SendMailConfig)).toBe('http');
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config.KAFKA_SASL_PASSWORD).toBeUndefined();
    expect(
      secretOwnershipProblems('send-mail', secretKeysOf(service, secretFiles), sendMailSettings, {
        ENVIRONMENT: 'production',
      }),
    ).toEqual([]);
    expect(secretKeysOf(service, secretFiles).filter((key) => key.startsWith('KAFKA_'))).toEqual([]);
  });

  it('when feedback loads the KafkaSink example with K_SINK as its SinkBinding injects it, then it sends over http, with no Kafka setting and no Kafka secret', () => {
    const { service, config } = loadedService(secretFiles, examples.kafkasink, 'feedback', {
      K_SINK: 'http://kafka-sink-ingress.knative-eventing.svc.cluster.local/mailer-production/mailer-email-feedback',
    });

    expect(eventTransport(config as SendMailConfig)).toBe('http');
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(
      secretOwnershipProblems('feedback', secretKeysOf(service, secretFiles), feedbackSettings, {
        ENVIRONMENT: 'production',
      }),
    ).toEqual([]);
    expect(secretKeysOf(service, secretFiles).filter((key) => key.startsWith('KAFKA_'))).toEqual([]);
  });

  it('when health loads the KafkaSink example, then its kafka check is off for http mode and it needs no brokers', () => {
    const { config } = loadedService(secretFiles, examples.kafkasink, 'health');

    expect(config.EVENT_TRANSPORT).toBe('http');
    expect(config.KAFKA_BROKERS).toBeUndefined();
  });
});

it('when no secret values are committed, then only dev carries Secrets and they are obviously fake', () => {
  const secretFiles = secretFilesOf('dev', rendered.dev);
  // Every value but the throwaway DKIM key (published in the file itself) says it is fake.
  const leaves = (value: unknown, path: string): [string, string][] =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, inner]) => leaves(inner, path ? `${path}.${key}` : key))
      : [[path, String(value)]];
  for (const secret of ofKind(rendered.dev, 'Secret')) {
    const values = leaves(parse(secretFiles(secret.metadata.name) ?? ''), '').filter(
      ([path]) => path !== 'dkim.privateKey',
    );
    expect(values.length).toBeGreaterThan(0);
    for (const [path, value] of values)
      expect({ path, value }).toEqual({ path, value: expect.stringMatching(/not-a-secret|obviously-fake/) });
  }
});

describe('issue 29: the migration Job', () => {
  it.each(ENVIRONMENTS)(
    "when %s is rendered, then a Job runs the image's migrate tool with its own Secret, and its settings load against the tool's schema with DATABASE_URL from that Secret",
    (env) => {
      const [job] = ofKind(rendered[env], 'Job') as unknown as ServiceWithVolumes[];
      const secretFiles = secretFilesOf(env, rendered[env]);
      const { config } = loadedWorkload(job as ServiceWithVolumes, rendered[env], secretFiles, migrateSettings);

      expect(job?.metadata).toMatchObject({ name: 'migrate', labels: { 'app.kubernetes.io/component': 'migration' } });
      expect((job?.spec.template.spec.containers[0] as { command?: string[] } | undefined)?.command).toEqual([
        'node',
        'dist/tools/migrate.js',
      ]);
      expect(config.DATABASE_URL).toMatch(/^postgres:\/\//);
      expect(
        secretOwnershipProblems('migrate', secretKeysOf(job as ServiceWithVolumes, secretFiles), migrateSettings, {
          ENVIRONMENT: env,
        }),
      ).toEqual([]);
    },
  );
});

describe('NODE_OPTIONS', () => {
  const nodeOptionsOf = (service: KnativeService): string[] | undefined =>
    literalEnv(service).NODE_OPTIONS?.split(' ').filter(Boolean);

  it.each(ENVIRONMENTS)(
    "when %s is rendered, then send-mail caps V8's semi-space (its pod-sized heap needs it) and no Service sets NODE_OPTIONS twice",
    (env) => {
      const sendMail = services(rendered[env]).find((service) => service.metadata.name === 'send-mail');

      expect(nodeOptionsOf(sendMail as KnativeService)).toContainEqual(
        expect.stringMatching(/^--max-semi-space-size=\d+$/),
      );
      for (const service of services(rendered[env]))
        expect(
          service.spec.template.spec.containers[0]?.env?.filter((entry) => entry.name === 'NODE_OPTIONS').length ?? 0,
        ).toBeLessThanOrEqual(1);
    },
  );

  it.each(ENVIRONMENTS)('when %s is rendered, then source maps are on in dev only, in every Service', (env) => {
    for (const service of services(rendered[env]))
      expect({
        service: service.metadata.name,
        sourceMaps: nodeOptionsOf(service)?.includes('--enable-source-maps') ?? false,
      }).toEqual({
        service: service.metadata.name,
        sourceMaps: env === 'dev',
      });
  });
});

describe('the container command', () => {
  it.each(NAMES)(
    'when the %s Service command runs on the build output, then the function answers its probes and drains on SIGTERM',
    async (name) => {
      const service = services(rendered.production).find(
        (candidate) => candidate.metadata.name === name,
      ) as KnativeService;
      const [program, ...args] = service.spec.template.spec.containers[0]?.command ?? [];
      expect(program).toBe('node');
      const port = await freePort();
      const env = { PORT: String(port), ENVIRONMENT: 'local', LOG_LEVEL: 'warn' };
      const fn = await startChild(
        args.map((arg) => (arg.startsWith('dist/') ? join(REPO, arg) : arg)),
        env,
        port,
      );

      expect((await request(`${fn.url}/readyz`)).status).toBe(200);
      fn.child.kill('SIGTERM');
      expect(await fn.exited).toBe(0);
    },
  );

  it("when the Dockerfile is read, then it runs Node 24 LTS as a non-root user and its default command is one of the Services' commands", () => {
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM node:(\d+)/gm)?.every((line) => line.endsWith(':24'))).toBe(true);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(
      services(rendered.production).map((service) => service.spec.template.spec.containers[0]?.command),
    ).toContainEqual(cmd);
  });
});

it('when kn-deploy runs dry, then it applies the supporting objects with kubectl and each Service with kn service create --force', () => {
  const output = execFileSync(
    process.execPath,
    [
      join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(REPO, 'scripts', 'kn-deploy.ts'),
      '--env',
      'staging',
      '--dry-run',
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  const lines = output.trim().split('\n');

  expect(lines[0]).toMatch(/^kubectl apply -f \S+supporting\.yaml$/);
  expect(lines.slice(1).map((line) => line.replace(/--filename \S+/, '--filename FILE'))).toEqual(
    [...NAMES].sort().map((name) => `kn service create ${name} --filename FILE --force --namespace mailer-staging`),
  );
});
