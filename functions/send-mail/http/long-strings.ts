/**
 * Attachments without copies of their text: before JSON.parse, every JSON string token longer than
 * `threshold` bytes and free of escapes is cut out of the body and replaced by a short placeholder token, so
 * neither the whole body as a string nor the attachment's content as a second string is ever made; the
 * content stays a view into the body's bytes. Only requests larger than MAX_BODY_BYTES take this path, and
 * only an attachment's `content` may hold such a string: anywhere else it is over MAX_BODY_BYTES on its own.
 *
 * Replacing one string token by another keeps the JSON's structure, so the rest parses, or fails, exactly as
 * the whole would. What JSON.parse no longer checks inside a cut string (control characters) the base64
 * check of the content covers.
 */
import { randomBytes } from 'node:crypto';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export interface LongStrings {
  /** The body with each long string replaced by its placeholder: what JSON.parse reads. */
  readonly text: string;
  /** Each placeholder's string, as the bytes between its quotes in the body (a view, not a copy). */
  readonly strings: ReadonlyMap<string, Buffer>;
}

/** Undefined when no string is long enough: the body parses as it is. */
export function cutLongStrings(raw: Buffer, threshold: number): LongStrings | undefined {
  // A nonce per request: a caller cannot write a placeholder that names one of ours.
  const tag = `\u0000${randomBytes(8).toString('hex')}:`;
  const strings = new Map<string, Buffer>();
  const pieces: Buffer[] = [];
  let copied = 0;
  let at = 0;
  for (;;) {
    const open = raw.indexOf(QUOTE, at);
    if (open === -1) break;
    const close = closingQuote(raw, open + 1);
    if (close === -1) break; // unterminated: JSON.parse reports it
    if (close - open - 1 > threshold && raw.subarray(open + 1, close).indexOf(BACKSLASH) === -1) {
      const placeholder = `${tag}${strings.size}`;
      strings.set(placeholder, raw.subarray(open + 1, close));
      pieces.push(raw.subarray(copied, open), Buffer.from(JSON.stringify(placeholder)));
      copied = close + 1;
    }
    at = close + 1;
  }
  if (strings.size === 0) return undefined;
  pieces.push(raw.subarray(copied));
  return { text: Buffer.concat(pieces).toString('utf8'), strings };
}

/** The quote that ends the string whose first byte is at `from`: the first one not escaped. */
function closingQuote(raw: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const quote = raw.indexOf(QUOTE, at);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (quote - backslashes - 1 >= from && raw[quote - backslashes - 1] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}
