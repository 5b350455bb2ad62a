/**
 * The one message shape, composed once per mail: fixed From, To, optional Cc and Reply-To, the text part
 * (with an HTML alternative: multipart/alternative), trace headers; no attachments, no file or URL access.
 * Bcc recipients go on the envelope only: they are never handed to the composer, so no header names them.
 * With DKIM settings the composed bytes are signed here, as the SMTP transaction reads them.
 */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import MailComposer from 'nodemailer/lib/mail-composer';
import { traceparentFor } from '../../../shared/tracing';
import type { OneClickLinks } from '../../../shared/unsubscribe';
import type { Verp } from '../../../shared/verp';
import { createDkimSigner, type DkimConfig } from './dkim';
import type { Attachment } from '../http/attachments';
import { headerSubject } from './subject';

export interface OutgoingMail {
  /** The mail's id (a UUID): its Message-ID's local part, its VERP tag and its email.sent event's id. */
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
  readonly cc?: readonly string[] | undefined;
  /** Envelope only. */
  readonly bcc?: readonly string[] | undefined;
  readonly attachments?: readonly Attachment[] | undefined;
  /** Recipients on the suppression list: left off the envelope (the headers still name To and Cc as addressed). */
  readonly suppressed?: ReadonlySet<string>;
  readonly replyTo?: string | undefined;
  /**
   * One-click unsubscribe (RFC 8058): the caller's own URL, or ours for `caller`'s broadcast stream (the
   * link names the mail's one recipient, `to`).
   */
  readonly listUnsubscribe?: { readonly url: string } | { readonly caller: string };
  readonly traceId: string;
  /** The caller's sampling decision, carried on the mail's trace headers. */
  readonly sampled: boolean;
}

/**
 * A mail without attachments is built (and signed) at once, its bytes one buffer: the cheapest way for the
 * many small ones. A mail with attachments is made (and signed) as it is read: never whole in memory, only
 * what its reader has not taken yet (with DKIM, the body the signature covers); read it once.
 */
export type MessageSource = { readonly bytes: Buffer } | { readonly stream: () => Readable };

/** The composed message: its bytes, the Message-ID they carry and the envelope they go with. */
export interface Composed {
  readonly message: MessageSource;
  readonly messageId: string;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
}

export type Compose = (mail: OutgoingMail) => Promise<Composed>;

/**
 * With `verp` (BOUNCE_DOMAIN set) the envelope sender carries the mail's signed tag, so a bounce names the
 * mail, and the Message-ID's domain is the bounce domain, so feedback can rebuild it from the tag alone.
 * `oneClick` makes our unsubscribe links (UNSUBSCRIBE_BASE_URL set).
 */
export function createComposer(from: string, dkim: DkimConfig, verp?: Verp, oneClick?: OneClickLinks): Compose {
  const sign = createDkimSigner(dkim);
  // Our own Message-ID, like nodemailer's (<random@sender's domain>): its generator parses the envelope
  // again and makes five crypto calls per mail (5 % of the CPU of a send under load).
  const domain = verp?.domain ?? from.slice(from.lastIndexOf('@') + 1);
  return async (mail) => {
    const messageId = `<${mail.id}@${domain}>`;
    const unsubscribe = mail.listUnsubscribe && (await unsubscribeUrl(mail, messageId, oneClick));
    const node = new MailComposer({
      from,
      messageId,
      to: mail.to,
      ...(mail.cc?.length ? { cc: [...mail.cc] } : {}),
      ...(mail.replyTo === undefined ? {} : { replyTo: mail.replyTo }),
      subject: headerSubject(mail.subject),
      text: mail.text,
      ...(mail.html === undefined ? {} : { html: mail.html }),
      // nodemailer nests them: mixed (attachments) → alternative (text, HTML) → related (HTML, cid parts).
      ...(mail.attachments?.length
        ? {
            attachments: mail.attachments.map((attachment) => ({
              filename: attachment.filename,
              content: decodedStream(attachment.base64),
              contentDisposition: attachment.disposition,
              ...(attachment.contentType === undefined ? {} : { contentType: attachment.contentType }),
              ...(attachment.contentId === undefined ? {} : { cid: attachment.contentId }),
            })),
          }
        : {}),
      headers: {
        'X-B3-TraceId': mail.traceId,
        'X-B3-Sampled': mail.sampled ? '1' : '0',
        traceparent: traceparentFor(mail.traceId, undefined, mail.sampled),
        // Both in nodemailer's default DKIM h= list: RFC 8058 counts the one-click only when signed.
        ...(unsubscribe
          ? { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
          : {}),
      },
      disableFileAccess: true,
      disableUrlAccess: true,
    }).compile();
    const made = (): Readable => (sign ? sign(node.createReadStream()) : node.createReadStream());
    return {
      message: mail.attachments?.length
        ? { stream: made }
        : { bytes: sign ? await buffer(made()) : await node.build() },
      messageId: node.messageId(),
      envelope: { from: verp ? verp.address(mail.id) : from, to: envelopeRecipients(mail) },
    };
  };
}

/** The caller's URL, or our link for the mail's recipient; the use case refuses a broadcast we cannot link. */
async function unsubscribeUrl(
  mail: OutgoingMail,
  messageId: string,
  oneClick: OneClickLinks | undefined,
): Promise<string | undefined> {
  const wanted = mail.listUnsubscribe;
  if (wanted === undefined) return undefined;
  if ('url' in wanted) return wanted.url;
  if (!oneClick) throw new TypeError('a broadcast mail without its own URL needs UNSUBSCRIBE_BASE_URL');
  return oneClick({ caller: wanted.caller, stream: 'broadcast', recipient: mail.to, messageId });
}

/** Base64 characters decoded per chunk: a multiple of 4, so each slice decodes on its own. */
const DECODE_CHUNK = 256 * 1024;

/**
 * The attachment's bytes, decoded a slice at a time as the composer reads them: the decoded file and its
 * re-encoded MIME text are never whole in memory beside the request's base64 (a 10 MiB file handed over
 * whole cost about four times its size in transient buffers inside the composer's encoder).
 */
function decodedStream(base64: string | Buffer): Readable {
  const slice = (at: number): string =>
    typeof base64 === 'string'
      ? base64.slice(at, at + DECODE_CHUNK)
      : base64.subarray(at, at + DECODE_CHUNK).toString('latin1');
  return Readable.from(
    (function* slices() {
      for (let at = 0; at < base64.length; at += DECODE_CHUNK) yield Buffer.from(slice(at), 'base64');
    })(),
    { objectMode: false },
  );
}

function envelopeRecipients(mail: OutgoingMail): string[] {
  const all = [mail.to, ...(mail.cc ?? []), ...(mail.bcc ?? [])];
  const { suppressed } = mail;
  return suppressed ? all.filter((address) => !suppressed.has(address)) : all;
}
