/**
 * Attachments of a send request (issue 30), checked after the schema: base64 content, their decoded total
 * within MAX_ATTACHMENT_BYTES (413 email.attachment.toolarge), at most MAX_ATTACHMENTS, file names without
 * path parts, and no executable or script extension (refused as Postmark and Gmail refuse them). A part
 * with a `content_id` is inline: the HTML refers to it as `cid:<content_id>`.
 */
import type { FieldProblem } from '../../../shared/errors';
import { emailError } from '../errors';

/** What the request carries, as the schema lets it through. */
export interface AttachmentField {
  readonly filename: string;
  readonly content: string;
  readonly content_type?: string;
  readonly content_id?: string;
  readonly disposition?: 'attachment' | 'inline';
}

/** One checked attachment, as the message is composed from it. */
export interface Attachment {
  readonly filename: string;
  /**
   * The base64 text as sent, decoded a slice at a time by the composer: a string, or for a large one the
   * bytes of the request body it was sent in (long-strings.ts: never copied).
   */
  readonly base64: string | Buffer;
  /** Decoded size in bytes. */
  readonly bytes: number;
  /** Absent: the composer takes it from the file name's extension. */
  readonly contentType?: string;
  readonly contentId?: string;
  readonly disposition: 'attachment' | 'inline';
}

export interface AttachmentLimits {
  /** The decoded total of one mail's attachments (MAX_ATTACHMENT_BYTES). */
  readonly maxAttachmentBytes: number;
  /** The most parts of one mail (MAX_ATTACHMENTS). */
  readonly maxAttachments: number;
}

/**
 * Extensions refused whatever the content type says: programs, installers, scripts and shortcuts a mail
 * client might run (after the lists Gmail and Postmark publish).
 */
export const REFUSED_EXTENSIONS: ReadonlySet<string> = new Set([
  'ade',
  'adp',
  'apk',
  'app',
  'appx',
  'bat',
  'cab',
  'chm',
  'cmd',
  'com',
  'cpl',
  'dll',
  'dmg',
  'exe',
  'hta',
  'ins',
  'iso',
  'isp',
  'jar',
  'js',
  'jse',
  'lib',
  'lnk',
  'mde',
  'msc',
  'msi',
  'msix',
  'msp',
  'mst',
  'nsh',
  'pif',
  'ps1',
  'psm1',
  'reg',
  'scr',
  'sct',
  'sh',
  'shb',
  'sys',
  'vb',
  'vbe',
  'vbs',
  'vxd',
  'wsc',
  'wsf',
  'wsh',
]);

/**
 * Standard base64, padded: what `content` must be (no line breaks, no URL alphabet). One character class and
 * a length check, not a grouped pattern: the text may be megabytes, and a repeated group would backtrack
 * through every one of them.
 */
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_UNPADDED = /^[A-Za-z0-9+/]*$/;
/** Bytes of a body's base64 checked per step: a short-lived string small enough for the young generation. */
const CHECK_SLICE = 64 * 1024;

function isBase64(base64: string | Buffer): boolean {
  if (base64.length % 4 !== 0) return false;
  if (typeof base64 === 'string') return BASE64_CHARACTERS.test(base64);
  for (let at = 0; at < base64.length; at += CHECK_SLICE) {
    const last = at + CHECK_SLICE >= base64.length;
    const slice = base64.subarray(at, at + CHECK_SLICE).toString('latin1');
    if (!(last ? BASE64_CHARACTERS : BASE64_UNPADDED).test(slice)) return false;
  }
  return true;
}

const PAD = 0x3d; // '='

/** The decoded size of valid padded base64, without decoding it. */
function decodedBytes(base64: string | Buffer): number {
  const at = (index: number): number =>
    typeof base64 === 'string' ? base64.charCodeAt(base64.length - index) : (base64[base64.length - index] ?? 0);
  const padding = base64.length === 0 ? 0 : at(2) === PAD ? 2 : at(1) === PAD ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot === -1 ? '' : filename.slice(dot + 1).toLowerCase();
}

/**
 * Checked attachments; throws email.validation.error naming each problem, or 413 email.attachment.toolarge.
 * `contentOf`: a content's text, or for one cut out of the body (long-strings.ts) its bytes there.
 */
export function checkAttachments(
  fields: readonly AttachmentField[],
  limits: AttachmentLimits,
  contentOf: (content: string) => string | Buffer = (content) => content,
): Attachment[] {
  const problems: FieldProblem[] = [];
  if (fields.length > limits.maxAttachments) problems.push({ field: 'attachments', code: 'field.too_many' });
  const contentIds = new Set<string>();
  fields.forEach((field, index) => {
    const at = `attachments/${index}`;
    // A name is shown, never a path: a client must not be told where to put the file.
    if (/[/\\]/.test(field.filename) || field.filename === '.' || field.filename === '..')
      problems.push({ field: `${at}/filename`, code: 'attachment.path' });
    if (REFUSED_EXTENSIONS.has(extensionOf(field.filename)))
      problems.push({ field: `${at}/filename`, code: 'attachment.extension_refused' });
    if (!isBase64(contentOf(field.content))) problems.push({ field: `${at}/content`, code: 'attachment.base64' });
    if (field.content_id !== undefined) {
      if (contentIds.has(field.content_id)) problems.push({ field: `${at}/content_id`, code: 'field.duplicate' });
      contentIds.add(field.content_id);
    }
  });
  if (problems.length > 0) throw emailError('email.validation.error', { details: problems });
  const attachments = fields.map((field) => ({
    filename: field.filename,
    base64: contentOf(field.content),
    bytes: decodedBytes(contentOf(field.content)),
    ...(field.content_type === undefined ? {} : { contentType: field.content_type }),
    ...(field.content_id === undefined ? {} : { contentId: field.content_id }),
    disposition: field.disposition ?? (field.content_id === undefined ? ('attachment' as const) : ('inline' as const)),
  }));
  const total = attachments.reduce((sum, attachment) => sum + attachment.bytes, 0);
  if (total > limits.maxAttachmentBytes)
    throw emailError('email.attachment.toolarge', { details: [{ field: 'attachments', code: 'field.too_large' }] });
  return attachments;
}

/**
 * The largest request body that can hold `limits`: the rest of the request (MAX_BODY_BYTES), the base64 of
 * the attachments' bytes, and each part's JSON around it.
 */
export function sendBodyLimit(maxBodyBytes: number, limits: AttachmentLimits): number {
  return maxBodyBytes + Math.ceil(limits.maxAttachmentBytes / 3) * 4 + limits.maxAttachments * 1024;
}
