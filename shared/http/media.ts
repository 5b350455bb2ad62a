/** Content negotiation for request bodies. */
import { parse } from 'content-type';
import { httpError } from '../errors';

/** The Content-Type header parsed; none, or one that does not parse, is 415. */
function mediaTypeOf(header: string | undefined): ReturnType<typeof parse> {
  if (header === undefined) throw httpError('http.mediatype.unsupported');
  try {
    return parse(header);
  } catch {
    throw httpError('http.mediatype.unsupported');
  }
}

/** Accepts `application/json` (UTF-8 only, the JSON default); anything else is 415. */
export function requireJsonContentType(header: string | undefined): void {
  const parsed = mediaTypeOf(header);
  const charset = parsed.parameters.charset?.toLowerCase();
  if (parsed.type !== 'application/json' || (charset !== undefined && charset !== 'utf-8')) {
    throw httpError('http.mediatype.unsupported');
  }
}

/** Accepts exactly `type` (parameters aside); anything else, or none, is 415. */
export function requireMediaType(header: string | undefined, type: string): void {
  if (mediaTypeOf(header).type !== type) throw httpError('http.mediatype.unsupported');
}
