/**
 * Validates rendered Kubernetes manifests as the API server would before anything is applied: every document
 * must be one YAML object (a stray line of output fails the whole stream); each object of a CRD kind is
 * checked against its upstream openAPIV3Schema, vendored unchanged under knative/crds/, with object schemas
 * closed (no unknown fields) unless they say x-kubernetes-preserve-unknown-fields, so a typo'd field fails as
 * it would at apply time; core kinds must be kinds this project uses, with a name.
 *
 *   make manifests ENV=production | node_modules/.bin/tsx scripts/validate-manifests.ts
 *
 * Exit 0 when every object is valid, 1 listing each problem otherwise.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const SCHEMAS = join(__dirname, '..', 'knative', 'crds');

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

const CRDS: Record<string, string> = {
  'serving.knative.dev/v1/Service': 'knative-serving/services.serving.knative.dev.yaml',
  'gateway.networking.k8s.io/v1/HTTPRoute': 'gateway-api/httproutes.gateway.networking.k8s.io.yaml',
  'sources.knative.dev/v1/KafkaSource': 'knative-eventing-kafka/kafkasources.sources.knative.dev.yaml',
  'eventing.knative.dev/v1alpha1/KafkaSink': 'knative-eventing-kafka/kafkasinks.eventing.knative.dev.yaml',
  'sources.knative.dev/v1/SinkBinding': 'knative-eventing/sinkbindings.yaml',
  'eventing.knative.dev/v1/Broker': 'knative-eventing/broker.yaml',
  'eventing.knative.dev/v1/Trigger': 'knative-eventing/trigger.yaml',
};

/** What the API server accepts on every object, whether or not a CRD's root schema lists it. */
const OBJECT_ROOT = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map<string, ValidateFunction>();

export function isCrdKind(object: K8sObject): boolean {
  return `${object.apiVersion}/${object.kind}` in CRDS;
}

/** The problems of one object against its CRD schema; empty when valid. */
export function crdProblems(object: K8sObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  let validate = validators.get(key);
  if (!validate) {
    const file = CRDS[key];
    if (!file) throw new Error(`no CRD schema for ${key}`);
    const crd = parse(readFileSync(join(SCHEMAS, file), 'utf8')) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] };
    };
    const version = crd.spec.versions.find((candidate) => candidate.name === object.apiVersion.split('/')[1]);
    if (!version) throw new Error(`CRD ${file} has no version for ${object.apiVersion}`);
    const root = structuredClone(version.schema.openAPIV3Schema) as { properties?: Record<string, unknown> };
    root.properties = { ...OBJECT_ROOT, ...root.properties };
    validate = ajv.compile(closed(root as Record<string, unknown>));
    validators.set(key, validate);
  }
  return validate(object)
    ? []
    : (validate.errors ?? []).map(
        (error) => `${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
      );
}

function closed(schema: Record<string, unknown>): Record<string, unknown> {
  if (
    schema.properties &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true &&
    schema.additionalProperties === undefined
  ) {
    schema.additionalProperties = false;
  }
  for (const value of Object.values(schema)) {
    if (value && typeof value === 'object') {
      if (Array.isArray(value)) {
        for (const item of value as unknown[])
          if (item && typeof item === 'object') closed(item as Record<string, unknown>);
      } else closed(value as Record<string, unknown>);
    }
  }
  return schema;
}

/** The core kinds the manifests use: no CRD to check them against, only their identity. */
const CORE_KINDS = new Set([
  'v1/Namespace',
  'v1/ConfigMap',
  'v1/Secret',
  'v1/ServiceAccount',
  'batch/v1/CronJob',
  'batch/v1/Job',
]);

/** The top-level fields a core object may have. */
const CORE_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'spec',
  'data',
  'stringData',
  'binaryData',
  'type',
  'immutable',
]);

/** Every problem of a stream of manifests (YAML documents), each naming its document; empty when valid. */
export function manifestProblems(text: string): string[] {
  const problems: string[] = [];
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return ['not a YAML stream'];
  documents.forEach((doc, index) => {
    const where = `document ${index + 1}`;
    for (const error of [...doc.errors, ...doc.warnings]) problems.push(`${where}: ${error.message}`);
    const object = doc.toJS() as Partial<K8sObject> | null;
    if (object === null || typeof object !== 'object' || Array.isArray(object)) {
      problems.push(`${where}: not a Kubernetes object`);
      return;
    }
    const id = `${where} (${String(object.kind)} ${String(object.metadata?.name)})`;
    if (
      typeof object.apiVersion !== 'string' ||
      typeof object.kind !== 'string' ||
      typeof object.metadata?.name !== 'string'
    ) {
      problems.push(`${id}: no apiVersion, kind or metadata.name`);
      return;
    }
    const full = object as K8sObject;
    if (isCrdKind(full)) problems.push(...crdProblems(full).map((problem) => `${id}: ${problem}`));
    else if (Object.keys(full).some((key) => !CORE_FIELDS.has(key)))
      problems.push(`${id}: unknown top-level field ${Object.keys(full).find((key) => !CORE_FIELDS.has(key)) ?? ''}`);
    else if (!CORE_KINDS.has(`${full.apiVersion}/${full.kind}`))
      problems.push(`${id}: no schema for ${full.apiVersion} ${full.kind}`);
  });
  if (documents.length === 0) problems.push('no manifests');
  return problems;
}

async function main(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const problems = manifestProblems(Buffer.concat(chunks).toString('utf8'));
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(2);
    },
  );
}
