/**
 * The request's fingerprint: a SHA-256 of the canonical JSON of its body (object keys sorted at every
 * level, no insignificant whitespace, strings and numbers as JSON.stringify writes them), so the same
 * request re-serialized by a retrying client still matches. A body that is not UTF-8 JSON is hashed as
 * its bytes: it is answered with a stored 4xx, and only the same bytes replay it.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

export function fingerprintOf(body: Buffer): string {
  const canonical = canonicalBody(body);
  const hash = createHash('sha256');
  if (canonical === undefined) hash.update('bytes\n').update(body);
  else hash.update('json\n').update(canonical, 'utf8');
  return hash.digest('hex');
}

/** The canonical JSON of the body, or undefined when it is not UTF-8 JSON. */
export function canonicalBody(body: Buffer): string | undefined {
  if (!isUtf8(body)) return undefined;
  try {
    return canonicalJson(JSON.parse(body.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
