/**
 * Renders the kustomize overlays with the real kubectl and validates each object of a CRD kind against
 * the upstream openAPIV3Schema, vendored unchanged under knative/crds/. Object schemas are closed (no unknown fields) unless
 * they say x-kubernetes-preserve-unknown-fields, so a typo'd field fails as it would at apply time.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const REPO = join(__dirname, '..', '..');
const SCHEMAS = join(REPO, 'knative', 'crds');

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

export function render(path: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(REPO, path)], { encoding: 'utf8' });
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject)
    .filter((object) => object !== null);
}

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
