/**
 * The Knative manifests of every environment, rendered with kubectl kustomize and checked before any
 * cluster sees them: CRD schemas, the invariants each environment must keep, and the configuration
 * against the config schema the functions load.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleOf, FUNCTIONS, functionNamed, type PublicPath } from '../../functions/catalog';
import { DOCS_REDIRECTS } from '../../functions/docs/site';
import { healthSettings } from '../../functions/health/settings';
import { eventTransport } from '../../shared/events/transport';
import { feedbackSettings } from '../../functions/feedback/settings';
import { migrateSettings } from '../../scripts/migrate';
import { purgeSettings } from '../../scripts/purge-timeline';
import { recordsSettings } from '../../functions/records/settings';
import { emailSentEventType } from '../../shared/contracts/email-sent';
import { FEEDBACK_EVENTS, feedbackEventType } from '../../shared/contracts/email-feedback';
import { sendMailSettings, type SendMailConfig } from '../../functions/send-mail/settings';
import { parse, stringify } from 'yaml';
import { ConfigError, loadConfig, type AnyFunctionSettings, type Config, type Specs } from '../../shared/config';
import { readYamlSettings, type SourceProblem } from '../../shared/config/sources';
import { execFileSync } from 'node:child_process';
import { crdProblems, isCrdKind, manifestProblems, render, REPO, type K8sObject } from '../support/manifests';
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
      'purge-timeline-secrets',
      'recorder-secrets',
      'records-secrets',
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
        'UNSUBSCRIBE_SECRET',
        'DATABASE_URL',
        'DKIM_PRIVATE_KEY',
      ].map((key) => `docs: gets ${key} from a Secret, which its schema does not declare as a secret setting`),
    );
  });

  it('when a secret send-mail requires is missing from its Secret, then the check names it', () => {
    const objects = structuredClone(rendered.staging);
    const example = exampleSecretFiles(join(REPO, 'knative', 'overlays', 'staging'));
    // The example as it is, but for its smtp section.
    const withoutSmtp: SecretFiles = (name) => {
      if (name !== 'send-mail-secrets') return example(name);
      const file = parse(example(name) ?? '{}') as Record<string, unknown>;
      delete file.smtp;
      return JSON.stringify(file);
    };
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
    const examples = join(REPO, 'knative', 'overlays', 'production');
    const everything =
      JSON.stringify(rendered.production) +
      readdirSync(join(examples, 'secrets'))
        .map((file) => exampleSecretFiles(examples)(file.replace(/\.example\.yaml$/, '')) ?? '')
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

it("when the kafkasource example is rendered, then the downstream team's and the recorder's KafkaSources and the dead-letter KafkaSink are valid against their CRDs", () => {
  const objects = render('knative/examples/kafkasource');
  expect(objects.map(({ kind, metadata }) => `${kind}/${metadata.name}`).sort()).toEqual([
    'KafkaSink/mailer-recorder-dead-letters',
    'KafkaSource/email-sent-to-campaign-stats',
    'KafkaSource/recorder',
  ]);
  for (const object of objects)
    expect({ kind: object.kind, problems: crdProblems(object) }).toEqual({ kind: object.kind, problems: [] });
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
      const cron = ofKind(rendered[env], 'CronJob').find((object) => object.metadata.name === 'prune-pushgateway') as
        | (K8sObject & { spec: { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } } })
        | undefined;
      const [container] = cron?.spec.jobTemplate.spec.template.spec.containers ?? [];
      const tool = container?.command.find((arg) => arg.startsWith('dist/')) ?? 'none';

      expect(container?.command.slice(0, 2)).toEqual(['node', 'dist/tools/prune-pushgateway.js']);
      expect(existsSync(join(REPO, tool))).toBe(true);
      expect(container?.env).toEqual([{ name: 'CONFIG_FILE', value: '/etc/mailer/config/common.yaml' }]);
    },
  );

  it.each(ENVIRONMENTS)(
    'when %s is rendered, then the producers (send-mail, feedback, records) create topics only in dev',
    (env) => {
      for (const name of ['send-mail', 'feedback', 'records']) {
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
      // The Broker owns its topic: no KafkaSink for the events, only the recorder's dead-letter sink.
      if (name === 'broker')
        expect(ofKind(objects, 'KafkaSink').map((sink) => sink.metadata.name)).toEqual([
          'mailer-recorder-dead-letters',
        ]);
      for (const object of objects.filter(isCrdKind))
        expect({ kind: object.kind, problems: crdProblems(object) }).toEqual({ kind: object.kind, problems: [] });
    },
  );

  it.each(Object.keys(examples) as (keyof typeof examples)[])(
    'when the %s example is rendered, then its SinkBindings bind send-mail, feedback and records, each to a sink in its namespace',
    (name) => {
      const bindings = ofKind(examples[name], 'SinkBinding') as (K8sObject & {
        spec: {
          subject: { apiVersion: string; kind: string; name: string };
          sink: { ref: { kind: string; name: string } };
        };
      })[];
      expect(bindings.map((binding) => binding.spec.subject).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'feedback' },
        { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'records' },
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

  it('when records loads the KafkaSink example with K_SINK as its SinkBinding injects it, then it sends over http, with no Kafka setting and no Kafka secret', () => {
    const { service, config } = loadedService(secretFiles, examples.kafkasink, 'records', {
      K_SINK: 'http://kafka-sink-ingress.knative-eventing.svc.cluster.local/mailer-production/mailer-email-suppression',
    });
    const binding = ofKind(examples.kafkasink, 'SinkBinding').find(
      (object) => object.metadata.name === 'records-events',
    ) as (K8sObject & { spec: { sink: { ref: { name: string } } } }) | undefined;
    const sink = ofKind(examples.kafkasink, 'KafkaSink').find(
      (object) => object.metadata.name === binding?.spec.sink.ref.name,
    ) as (K8sObject & { spec: { topic: string } }) | undefined;

    expect(eventTransport(config as SendMailConfig)).toBe('http');
    expect(config.KAFKA_BROKERS).toBeUndefined();
    // The KafkaSink writes the topic records would produce to in kafka mode.
    expect(sink?.spec.topic).toBe(config.KAFKA_TOPIC);
    expect(config.KAFKA_TOPIC).toBe('mailer.email-suppression.v1');
    expect(
      secretOwnershipProblems('records', secretKeysOf(service, secretFiles), recordsSettings, {
        ENVIRONMENT: 'production',
      }),
    ).toEqual([]);
    expect(secretKeysOf(service, secretFiles)).toEqual(['DATABASE_URL']);
  });

  it('when the broker example is rendered, then records posts its events to the Broker, which owns their topic', () => {
    const binding = ofKind(examples.broker, 'SinkBinding').find(
      (object) => object.metadata.name === 'records-events',
    ) as (K8sObject & { spec: { sink: { ref: { kind: string; name: string } } } }) | undefined;

    expect(binding?.spec.sink.ref).toMatchObject({ kind: 'Broker', name: 'mailer' });
    expect(ofKind(examples.broker, 'Broker').map((broker) => broker.metadata.name)).toEqual(['mailer']);
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

/** The names of the Secrets a workload mounts, without dev's hash suffix. */
const mountedSecrets = (workload: ServiceWithVolumes): string[] =>
  (workload.spec.template.spec.volumes ?? []).flatMap((volume) =>
    volume.secret ? [volume.secret.secretName.replace(/-[a-z0-9]{10}$/, '')] : [],
  );

describe('issue 29: the records function', () => {
  const recordsIn = (objects: K8sObject[]): ServiceWithVolumes =>
    services(objects).find((service) => service.metadata.name === 'records') as unknown as ServiceWithVolumes;

  it.each(ENVIRONMENTS)(
    'when %s is rendered, then records runs its bundle and the public host sends its three paths (the unsubscribe links too), and everything below them, to it',
    (env) => {
      const records = recordsIn(rendered[env]);
      const [route] = ofKind(rendered[env], 'HTTPRoute') as HttpRoute[];

      expect((records.spec.template.spec.containers[0] as { command?: string[] }).command).toEqual([
        'node',
        'dist/records/main.js',
      ]);
      expect(routedPaths(route as HttpRoute).filter((line) => line.endsWith('-> records:80'))).toEqual([
        'PathPrefix /api/rest/v1/emails -> records:80',
        'PathPrefix /api/rest/v1/suppressions -> records:80',
        'PathPrefix /unsubscribe -> records:80',
      ]);
      expect(functionNamed('records')?.publicPaths).toEqual([
        { type: 'PathPrefix', value: '/api/rest/v1/emails' },
        { type: 'PathPrefix', value: '/api/rest/v1/suppressions' },
        { type: 'PathPrefix', value: '/unsubscribe' },
      ]);
    },
  );

  it.each(ENVIRONMENTS)(
    'when %s is rendered, then records mounts only records-secrets, with exactly the secret keys its schema declares, DATABASE_URL as its own login role',
    (env) => {
      const objects = rendered[env];
      const records = recordsIn(objects);
      const secretFiles = secretFilesOf(env, objects);
      const { config } = loadedService(secretFiles, objects, 'records');
      const keys = secretKeysOf(records, secretFiles);

      expect(mountedSecrets(records)).toEqual(['records-secrets']);
      // The keys feedback's Secret has for the same fragments (auth in dev, Kafka SASL where the brokers want it), and its database.
      expect([...keys].sort()).toEqual(
        env === 'dev'
          ? ['AUTH_HS256_SECRET', 'DATABASE_URL', 'UNSUBSCRIBE_SECRET']
          : ['DATABASE_URL', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_USERNAME', 'UNSUBSCRIBE_SECRET'],
      );
      expect(keys.filter((key) => !recordsSettings.secrets.has(key))).toEqual([]);
      expect(secretOwnershipProblems('records', keys, recordsSettings, { ENVIRONMENT: env })).toEqual([]);
      expect(literalEnv(records).CONFIG_FILE?.split(',')).toEqual([
        '/etc/mailer/config/common.yaml',
        '/etc/mailer/config/auth.yaml',
        '/etc/mailer/config/database.yaml',
        '/etc/mailer/config/records.yaml',
      ]);
      expect(config.DATABASE_URL).toMatch(/^postgres:\/\/mailer_records_login:/);
      expect(config.KAFKA_TOPIC).toBe('mailer.email-suppression.v1');
    },
  );

  it.each(ENVIRONMENTS)(
    "when %s is rendered, then records' timeline role is send-mail's send role, and the suppression admin role is another",
    (env) => {
      const records = loadedService(secretFilesOf(env, rendered[env]), rendered[env], 'records').config;
      const sendMail = loadedService(secretFilesOf(env, rendered[env]), rendered[env], 'send-mail').config;

      expect(records.TIMELINE_READ_ROLE).toBe(sendMail.SEND_MAIL_REQUIRED_ROLE);
      expect(records.SUPPRESSION_ADMIN_ROLE).not.toBe(records.TIMELINE_READ_ROLE);
    },
  );
});

type CronJob = K8sObject & {
  metadata: { labels?: Record<string, string> };
  spec: {
    schedule: string;
    concurrencyPolicy?: string;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: { spec: ServiceWithVolumes['spec'] & { backoffLimit?: number; activeDeadlineSeconds?: number } };
  };
};

describe('issue 29: the retention purge CronJob', () => {
  const purgeIn = (objects: K8sObject[]): CronJob | undefined =>
    ofKind(objects, 'CronJob').find((object) => object.metadata.name === 'purge-timeline') as CronJob | undefined;
  /** The CronJob's pod as the helpers read a Service's or a Job's: its Job template. */
  const asWorkload = (cron: CronJob): ServiceWithVolumes => ({ ...cron, spec: cron.spec.jobTemplate.spec });

  it.each(ENVIRONMENTS)(
    'when %s is rendered, then the purge CronJob is a valid batch/v1 CronJob, daily, never two at once, with a bounded history, run and pod',
    (env) => {
      const cron = purgeIn(rendered[env]) as CronJob;
      const pod = cron.spec.jobTemplate.spec.template.spec as ServiceWithVolumes['spec']['template']['spec'] & {
        restartPolicy?: string;
        automountServiceAccountToken?: boolean;
        securityContext?: Record<string, unknown>;
      };
      const [container] = pod.containers as (Container & { name: string })[];

      expect(cron).toBeDefined();
      expect(manifestProblems(stringify(cron))).toEqual([]);
      expect(cron.apiVersion).toBe('batch/v1');
      expect(cron.metadata.namespace).toBe(`mailer-${env}`);
      // Minute and hour fixed, every day of every month, any weekday: once a day.
      expect(cron.spec.schedule).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
      expect(cron.spec.concurrencyPolicy).toBe('Forbid');
      expect(cron.spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
      expect(cron.spec.successfulJobsHistoryLimit).toBeLessThanOrEqual(5);
      expect(cron.spec.failedJobsHistoryLimit).toBeGreaterThan(0);
      expect(cron.spec.failedJobsHistoryLimit).toBeLessThanOrEqual(5);
      expect(cron.spec.jobTemplate.spec.backoffLimit).toBeGreaterThanOrEqual(0);
      expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers).toHaveLength(1);
      expect(container?.resources?.requests).toBeDefined();
      expect(container?.resources?.limits).toBeDefined();
      expect(container?.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    },
  );

  it.each(ENVIRONMENTS)(
    "when %s is rendered, then the purge CronJob runs the image's purge tool with only purge-timeline-secrets, and its settings load against the tool's schema: DATABASE_URL its own login role, 30 days kept",
    (env) => {
      const objects = rendered[env];
      const cron = purgeIn(objects) as CronJob;
      const workload = asWorkload(cron);
      const secretFiles = secretFilesOf(env, objects);
      const { config } = loadedWorkload(workload, objects, secretFiles, purgeSettings);
      const [container] = workload.spec.template.spec.containers as { command?: string[]; image?: string }[];
      const sendMail = services(objects).find((service) => service.metadata.name === 'send-mail');

      expect(container?.command).toEqual(['node', 'dist/tools/purge-timeline.js']);
      expect(existsSync(join(REPO, 'dist', 'tools', 'purge-timeline.js'))).toBe(true);
      // The one image every Service runs.
      expect(container?.image).toBe(sendMail?.spec.template.spec.containers[0]?.image);
      expect(mountedSecrets(workload)).toEqual(['purge-timeline-secrets']);
      expect(secretKeysOf(workload, secretFiles)).toEqual(['DATABASE_URL']);
      expect(
        secretOwnershipProblems('purge-timeline', secretKeysOf(workload, secretFiles), purgeSettings, {
          ENVIRONMENT: env,
        }),
      ).toEqual([]);
      expect(config.DATABASE_URL).toMatch(/^postgres:\/\/mailer_purge_login:/);
      expect(config.TIMELINE_RETENTION_DAYS).toBe(30);
      expect(config.ENVIRONMENT).toBe(env);
    },
  );

  it('when a key the purge tool does not declare is planted in its Secret, then the check names it', () => {
    const cron = purgeIn(rendered.staging) as CronJob;
    const example = exampleSecretFiles(join(REPO, 'knative', 'overlays', 'staging'));
    const planted: SecretFiles = (name) =>
      name === 'purge-timeline-secrets' ? `${example(name) ?? ''}\nkafka:\n  saslPassword: planted\n` : example(name);

    expect(
      secretOwnershipProblems('purge-timeline', secretKeysOf(asWorkload(cron), planted), purgeSettings, {
        ENVIRONMENT: 'staging',
      }),
    ).toEqual([
      'purge-timeline: gets KAFKA_SASL_PASSWORD from a Secret, which its schema does not declare as a secret setting',
    ]);
  });
});

type Destination = { ref?: { apiVersion?: string; kind: string; name: string; namespace?: string }; uri?: string };
type Delivery = { retry?: number; backoffPolicy?: string; backoffDelay?: string; deadLetterSink?: Destination };
type KafkaSource = K8sObject & {
  spec: { consumerGroup?: string; topics: string[]; sink: Destination; delivery?: Delivery };
};
type Trigger = K8sObject & {
  spec: {
    broker: string;
    filter?: { attributes?: Record<string, string> };
    filters?: Record<string, unknown>[];
    subscriber: Destination;
    delivery?: Delivery;
  };
};

/** The object a Destination's ref names among `objects` (its namespace defaults to the holder's), or undefined. */
function resolved(
  objects: K8sObject[],
  holder: K8sObject,
  destination: Destination | undefined,
): K8sObject | undefined {
  const ref = destination?.ref;
  if (ref === undefined) return undefined;
  return objects.find(
    (object) =>
      object.kind === ref.kind &&
      object.metadata.name === ref.name &&
      object.metadata.namespace === (ref.namespace ?? holder.metadata.namespace) &&
      (ref.apiVersion === undefined || object.apiVersion === ref.apiVersion),
  );
}

/**
 * The event types a Trigger lets through, when it lets through only exact types: `filter.attributes` with
 * only `type`, or one `filters` entry, an `exact` type or `any` of them. Anything else is named as such.
 */
function triggerTypes(trigger: Trigger): string[] {
  const exactType = (expression: Record<string, unknown>): string => {
    const exact = expression.exact as Record<string, unknown> | undefined;
    return exact !== undefined && Object.keys(expression).length === 1 && Object.keys(exact).join() === 'type'
      ? String(exact.type)
      : `(not one exact type: ${JSON.stringify(expression)})`;
  };
  const { filter, filters } = trigger.spec;
  if (filters !== undefined) {
    if (filters.length !== 1) return [`(${filters.length} filters, all of which must pass)`];
    const [only = {}] = filters;
    const any = only.any as Record<string, unknown>[] | undefined;
    return any !== undefined && Object.keys(only).length === 1 ? any.map(exactType) : [exactType(only)];
  }
  const attributes = filter?.attributes ?? {};
  return Object.keys(attributes).join() === 'type'
    ? [String(attributes.type)]
    : [`(not one exact type: ${JSON.stringify(attributes)})`];
}

/** What the files a Service's CONFIG_FILE lists (and its literal environment) set, before defaults and validation. */
function fileSettingsOf(objects: K8sObject[], name: string): Record<string, string> {
  const service = services(objects).find(
    (candidate) => candidate.metadata.name === name,
  ) as unknown as ServiceWithVolumes;
  const files = mountedFiles(service, objects, () => undefined);
  const settings: Record<string, string> = {};
  for (const path of (literalEnv(service).CONFIG_FILE ?? '').split(','))
    Object.assign(
      settings,
      readYamlSettings(path, (file) => files[file] ?? '', [] as SourceProblem[]),
    );
  return { ...settings, ...literalEnv(service) };
}

describe('issue 29: the recorder and the events delivered to it', () => {
  const examples = {
    kafkasource: render('knative/examples/kafkasource'),
    broker: render('knative/examples/broker'),
  };
  /** The topics the recorder must read: the producers' own (production, where the examples live). */
  const eventTopics = ['send-mail', 'feedback'].map((name) => fileSettingsOf(rendered.production, name).KAFKA_TOPIC);
  const recorderIn = (objects: K8sObject[]): KnativeService | undefined =>
    services(objects).find((service) => service.metadata.name === 'recorder');

  it.each(ENVIRONMENTS)(
    'when %s is rendered, then the recorder runs its bundle, has no public path, and mounts only recorder-secrets, with exactly DATABASE_URL, its own login role',
    (env) => {
      const objects = rendered[env];
      const recorder = recorderIn(objects) as unknown as ServiceWithVolumes;
      const [route] = ofKind(objects, 'HTTPRoute') as HttpRoute[];
      const secretFiles = secretFilesOf(env, objects);
      const { config } = loadedService(secretFiles, objects, 'recorder');

      expect((recorder.spec.template.spec.containers[0] as { command?: string[] }).command).toEqual([
        'node',
        'dist/recorder/main.js',
      ]);
      expect(functionNamed('recorder')?.publicPaths).toEqual([]);
      expect(route?.spec.rules.flatMap((rule) => rule.backendRefs.map((backend) => backend.name))).not.toContain(
        'recorder',
      );
      expect(
        (recorder.spec.template.spec.volumes ?? []).flatMap((volume) =>
          volume.secret ? [volume.secret.secretName.replace(/-[a-z0-9]{10}$/, '')] : [],
        ),
      ).toEqual(['recorder-secrets']);
      expect(secretKeysOf(recorder, secretFiles)).toEqual(['DATABASE_URL']);
      expect(literalEnv(recorder).CONFIG_FILE?.split(',')).toEqual([
        '/etc/mailer/config/common.yaml',
        '/etc/mailer/config/database.yaml',
        '/etc/mailer/config/recorder.yaml',
      ]);
      expect(config.DATABASE_URL).toMatch(/^postgres:\/\/mailer_recorder_login:/);
    },
  );

  it.each(ENVIRONMENTS)(
    'when %s is rendered, then the recorder reads event types under the prefix send-mail and feedback publish them with',
    (env) => {
      const prefixes = ['send-mail', 'feedback', 'recorder'].map((name) => ({
        name,
        prefix: fileSettingsOf(rendered[env], name).EVENT_TYPE_PREFIX ?? '(the shared default)',
      }));
      expect(new Set(prefixes.map(({ prefix }) => prefix)).size).toBe(1);
    },
  );

  it('when the kafkasource example is rendered, then the recorder has its own KafkaSource reading both event topics into the recorder Service, with retries, exponential backoff and a dead-letter sink', () => {
    const objects = examples.kafkasource;
    const sources = ofKind(objects, 'KafkaSource') as KafkaSource[];
    const recorderSources = sources.filter((source) => source.spec.sink.ref?.name === 'recorder');
    const recorderService = recorderIn(rendered.production);

    expect(recorderSources).toHaveLength(1);
    const [source] = recorderSources as [KafkaSource];
    expect(crdProblems(source)).toEqual([]);
    expect([...source.spec.topics].sort()).toEqual([...eventTopics].sort());
    expect(eventTopics).toEqual(['mailer.email-sent.v1', 'mailer.email-feedback.v1']);
    // Its own consumer group: no other KafkaSource's offsets move with it.
    expect(source.spec.consumerGroup).toEqual(expect.any(String));
    expect(sources.filter((other) => other !== source).map((other) => other.spec.consumerGroup)).not.toContain(
      source.spec.consumerGroup,
    );
    // In the mailer's namespace, beside the recorder Service the overlay renders there.
    expect(source.metadata.namespace).toBe(recorderService?.metadata.namespace);
    expect(source.spec.sink.ref).toEqual({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      name: 'recorder',
      namespace: recorderService?.metadata.namespace,
    });
    expect(source.spec.delivery).toMatchObject({ backoffPolicy: 'exponential', retry: expect.any(Number) });
    expect(source.spec.delivery?.retry).toBeGreaterThan(0);
    const deadLetters = resolved(objects, source, source.spec.delivery?.deadLetterSink);
    expect(deadLetters?.kind).toBe('KafkaSink');
    // A dead letter never flows back into a topic the recorder reads.
    expect(source.spec.topics).not.toContain((deadLetters as { spec?: { topic?: string } } | undefined)?.spec?.topic);
  });

  it("when the broker example is rendered, then the recorder's Triggers let through exactly the four types it records, each to the recorder Service with retries, exponential backoff and a dead-letter sink", () => {
    const objects = examples.broker;
    const triggers = (ofKind(objects, 'Trigger') as Trigger[]).filter(
      (trigger) => trigger.spec.subscriber.ref?.name === 'recorder',
    );
    const { config } = loadedService(
      exampleSecretFiles(join(REPO, 'knative', 'examples', 'kafkasink')),
      objects,
      'recorder',
    );
    const prefix = String(config.EVENT_TYPE_PREFIX);
    const recorded = [emailSentEventType(prefix), ...FEEDBACK_EVENTS.map((name) => feedbackEventType(prefix, name))];

    expect(triggers.length).toBeGreaterThan(0);
    expect(triggers.flatMap(triggerTypes).sort()).toEqual([...recorded].sort());
    expect(recorded).toEqual([
      'com.example.mailer.email.sent.v1',
      'com.example.mailer.email.bounced.v1',
      'com.example.mailer.email.delayed.v1',
      'com.example.mailer.email.complained.v1',
    ]);
    for (const trigger of triggers) {
      expect({ trigger: trigger.metadata.name, problems: crdProblems(trigger) }).toEqual({
        trigger: trigger.metadata.name,
        problems: [],
      });
      expect(resolved(objects, trigger, { ref: { kind: 'Broker', name: trigger.spec.broker } })).toBeDefined();
      expect(resolved(objects, trigger, trigger.spec.subscriber)).toBe(recorderIn(objects));
      expect(trigger.spec.delivery).toMatchObject({ backoffPolicy: 'exponential', retry: expect.any(Number) });
      expect(trigger.spec.delivery?.retry).toBeGreaterThan(0);
      expect(resolved(objects, trigger, trigger.spec.delivery?.deadLetterSink)?.kind).toBe('KafkaSink');
    }
  });

  it.each([
    {
      name: 'one type fewer',
      plant: (t: Trigger) => void (t.spec.filters?.[0]?.any as unknown[] | undefined)?.pop(),
    },
    {
      name: 'a prefix instead of exact types',
      plant: (t: Trigger) => void (t.spec.filters = [{ prefix: { type: 'com.example.mailer.' } }]),
    },
    {
      name: 'a second filter, which must pass as well',
      plant: (t: Trigger) => void t.spec.filters?.push({ exact: { source: '/mailer/send-mail' } }),
    },
    {
      name: 'an attribute besides the type',
      plant: (t: Trigger) =>
        void (t.spec.filters = [{ exact: { type: 'com.example.mailer.email.sent.v1', source: '/mailer' } }]),
    },
  ])(
    "when the recorder's Trigger has $name, then the types it lets through no longer match the recorder's",
    ({ plant }) => {
      const trigger = structuredClone(
        (ofKind(examples.broker, 'Trigger') as Trigger[]).find((candidate) => candidate.metadata.name === 'recorder'),
      ) as Trigger;
      const before = triggerTypes(trigger).sort();
      plant(trigger);

      expect(before).toHaveLength(4);
      expect(triggerTypes(trigger).sort()).not.toEqual(before);
    },
  );

  it('when either transport gives up on an event, then it lands in the same dead-letter topic, which no one delivers to the recorder', () => {
    const deadLetterTopics = Object.values(examples).map((objects) =>
      (ofKind(objects, 'KafkaSink') as (K8sObject & { spec: { topic: string } })[])
        .filter((sink) => sink.metadata.name === 'mailer-recorder-dead-letters')
        .map((sink) => sink.spec.topic),
    );

    expect(deadLetterTopics).toEqual([['mailer.recorder-dead-letters.v1'], ['mailer.recorder-dead-letters.v1']]);
    expect(eventTopics).not.toContain('mailer.recorder-dead-letters.v1');
  });
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
