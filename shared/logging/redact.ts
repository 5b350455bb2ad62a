/**
 * Keeps credentials and mail bodies out of log lines. Replaces pino's path redaction, whose wildcard paths
 * (`*.token`, …) made it clone every top-level object of every line: here a line is only read, and copied
 * (the copy censored, the caller's object untouched) only when it holds a sensitive key.
 */

/** Keys whose values never reach a log line, at the top of a line's object or up to two objects down. */
export const REDACTED_KEYS: ReadonlySet<string> = new Set(['authorization', 'token', 'password', 'secret', 'body']);
export const CENSOR = '[REDACTED]';

/** How far down objects are read: `req.headers.authorization` is the deepest path that must be censored. */
const DEPTH = 3;

/** The object itself when nothing in it is sensitive, else a censored copy. */
export function redact<T extends object>(value: T): T {
  return redactLevel(value, DEPTH);
}

function redactLevel<T extends object>(value: T, depth: number): T {
  let copy: T | undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const inner = record[key];
    let replaced: unknown = inner;
    if (REDACTED_KEYS.has(key)) {
      if (inner !== undefined) replaced = CENSOR;
    } else if (depth > 1 && typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      replaced = redactLevel(inner, depth - 1);
    }
    if (replaced !== inner) {
      copy ??= cloneOf(value);
      Object.defineProperty(copy, key, { value: replaced, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy ?? value;
}

/** A copy with the same prototype and properties, so an Error stays an Error for the serialisers after us. */
function cloneOf<T extends object>(value: T): T {
  return Object.create(Object.getPrototypeOf(value) as object | null, Object.getOwnPropertyDescriptors(value)) as T;
}
