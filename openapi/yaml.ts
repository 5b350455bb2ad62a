import { stringify } from 'yaml';

/** The YAML form of the spec, identical whether written by `make openapi` or served by docs (no anchors). */
export function specToYaml(spec: object): string {
  return stringify(spec, { aliasDuplicateObjects: false });
}
