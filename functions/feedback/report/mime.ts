/**
 * One inbound mail through postal-mime (the MIME structure, transfer encodings and charsets are the
 * library's): its top-level headers, its text and its parts, with bounds on what a hostile mail can make it
 * do. Attached messages stay attachments, read again only where a report needs them.
 */
import PostalMime from 'postal-mime';
import { fieldGroups, type FieldGroup } from './fields';

export interface Part {
  readonly mimeType: string;
  readonly content: string;
}

export interface Mime {
  /** Top-level headers, lowercased names, in order, duplicates kept. */
  readonly headers: readonly { readonly key: string; readonly value: string }[];
  readonly subject: string;
  readonly from: string;
  readonly text: string;
  readonly parts: readonly Part[];
}

const LIMITS = {
  attachmentEncoding: 'utf8',
  forceRfc822Attachments: true,
  maxNestingDepth: 32,
  maxHeadersSize: 512 * 1024,
  maxPartCount: 1000,
  maxRfc822NestingDepth: 0,
} as const;

export async function parseMime(raw: Uint8Array): Promise<Mime> {
  const bytes = withLineFeeds(raw);
  const email = await PostalMime.parse(bytes, LIMITS);
  const from = email.from?.address ?? email.headers.find((header) => header.key === 'from')?.value ?? '';
  return {
    headers: email.headers.map(({ key, value }) => ({ key, value })),
    subject: email.subject ?? '',
    from,
    // An HTML-only notice: its head without the tags ([^<>]: a run of '<' with no '>' stays linear).
    text:
      email.text ||
      (email.html ? email.html.slice(0, 64 * 1024).replace(/<[^<>]*>/g, ' ') : '') ||
      bodyOf(email.attachments.length, bytes),
    parts: email.attachments.map((part) => ({
      mimeType: part.mimeType,
      content:
        typeof part.content === 'string' ? part.content : Buffer.from(part.content as ArrayBuffer).toString('utf8'),
    })),
  };
}

/** A multipart mail whose boundaries never appear has no parts and no text: its body is the text. */
function bodyOf(parts: number, bytes: Uint8Array): string {
  if (parts > 0) return '';
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 256 * 1024)).toString('utf8');
  const end = raw.search(/\r?\n\r?\n/);
  return end === -1 ? '' : raw.slice(end).trim();
}

/** A mail with bare CRs (old Mac or broken MTAs) as LF lines: postal-mime splits lines on LF. */
function withLineFeeds(raw: Uint8Array): Uint8Array {
  const buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const cr = buffer.indexOf(0x0d);
  if (cr === -1 || (buffer[cr + 1] === 0x0a && !/\r(?!\n)/.test(buffer.toString('latin1')))) return raw;
  return Buffer.from(buffer.toString('latin1').replace(/\r\n?/g, '\n'), 'latin1');
}

export function headerValues(mime: Pick<Mime, 'headers'>, name: string): string[] {
  return mime.headers.filter((header) => header.key === name).map((header) => header.value);
}

/** The header block of the returned mail (message/rfc822 or text/rfc822-headers), if the report has one. */
export function returnedHeaders(mime: Mime): FieldGroup | undefined {
  const part = mime.parts.find((candidate) =>
    /^(message\/rfc822|text\/rfc822-headers|message\/global|message\/global-headers)$/.test(candidate.mimeType),
  );
  if (!part) return undefined;
  const end = part.content.search(/\r?\n\r?\n/);
  return fieldGroups(end === -1 ? part.content : part.content.slice(0, end))[0];
}

/** The first addr-spec in a header value (`Name <user@host>, …` → `user@host`). */
export function firstAddress(value: string | undefined): string | undefined {
  return value ? /<?([^\s<>",;:]+@[^\s<>",;:]+)>?/.exec(value)?.[1] : undefined;
}
