/**
 * Reads the YAML files Kubernetes mounts (ConfigMap at CONFIG_FILE, Secret at SECRETS_FILE) and flattens
 * nested keys into UPPER_SNAKE setting names: `smtp.url` and `smtp: {url}` both become SMTP_URL.
 */
import { parse } from 'yaml';

export type RawSettings = Record<string, string>;
export type ReadFile = (path: string) => string;

export class SourceProblem {
  constructor(readonly message: string) {}
}

export function readYamlSettings(path: string, readFile: ReadFile, problems: SourceProblem[]): RawSettings {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    problems.push(new SourceProblem(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`));
    return {};
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    // Only the position: the message quotes the offending line, which may hold a secret.
    const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    problems.push(new SourceProblem(`${path}: not valid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}`));
    return {};
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push(new SourceProblem(`${path}: expected a mapping of settings at the top level`));
    return {};
  }
  const out: RawSettings = {};
  flatten(doc as Record<string, unknown>, [], out);
  return out;
}

function flatten(node: Record<string, unknown>, prefix: string[], out: RawSettings): void {
  for (const [key, value] of Object.entries(node)) {
    const path = [...prefix, ...key.split('.')];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flatten(value as Record<string, unknown>, path, out);
    } else if (value !== null && value !== undefined) {
      const scalar = value as string | number | boolean; // not an object, not null: a YAML scalar
      out[path.map(toUpperSnake).join('_')] = Array.isArray(value) ? value.join(',') : String(scalar);
    }
  }
}

function toUpperSnake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toUpperCase();
}
