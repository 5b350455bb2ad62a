/**
 * Renders the kustomize overlays with the real kubectl, for the manifest tests; the validation against the
 * vendored CRDs is the project's own validator (scripts/validate-manifests.ts).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../scripts/validate-manifests';

export { crdProblems, isCrdKind, manifestProblems, type K8sObject } from '../../scripts/validate-manifests';

export const REPO = join(__dirname, '..', '..');

export function render(path: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(REPO, path)], { encoding: 'utf8' });
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject)
    .filter((object) => object !== null);
}
