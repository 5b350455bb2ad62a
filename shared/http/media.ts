/** Content negotiation for request bodies. */
import { parse } from 'content-type';
import { httpError } from '../errors';

/** Accepts `application/json` (UTF-8 only, the JSON default); anything else is 415. */
export function requireJsonContentType(header: string | undefined): void {
  if (header === undefined) throw httpError('http.mediatype.unsupported');
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(header);
  } catch {
    throw httpError('http.mediatype.unsupported');
  }
  const charset = parsed.parameters.charset?.toLowerCase();
  if (parsed.type !== 'application/json' || (charset !== undefined && charset !== 'utf-8')) {
    throw httpError('http.mediatype.unsupported');
  }
}

/** Accepts exactly `type` (parameters aside); anything else, or none, is 415. */
export function requireMediaType(header: string | undefined, type: string): void {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(header ?? '');
  } catch {
    throw httpError('http.mediatype.unsupported');
  }
  if (parsed.type !== type) throw httpError('http.mediatype.unsupported');
}
