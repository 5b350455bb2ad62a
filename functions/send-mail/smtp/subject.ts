/**
 * The Subject header value for nodemailer, chosen so that the recipient's client shows exactly the
 * submitted subject and no header line exceeds RFC 5322's 998 octets. nodemailer passes a valid RFC 2047
 * encoded word through as it is (so callers may pre-encode) and folds only at whitespace: a subject that
 * holds `=?` would be decoded by the client, and a long word would stay one line. So anything but short
 * plain words is encoded here, whole, as B encoded words that nodemailer folds between them.
 */
import { encodeWord } from 'nodemailer/lib/mime-funcs';

/** Words that fit a 78-octet line with the folding space before them (RFC 5322 2.1.1). */
const MAX_PLAIN_WORD = 77;
/** Printable ASCII but the quote, which nodemailer would encode its own way. */
const PLAIN_WORD = /^[\x21\x23-\x7e]+$/;
/** nodemailer's own size for one encoded word: 52 characters, whole UTF-8 sequences only. */
const ENCODED_WORD_LENGTH = 52;

export function headerSubject(subject: string): string {
  if (subject === '' || isPlain(subject)) return subject;
  return encodeWord(subject, 'B', ENCODED_WORD_LENGTH);
}

/** Single spaces between short printable words, and nothing a decoder reads as an encoded word. */
function isPlain(subject: string): boolean {
  if (subject.includes('=?')) return false;
  return subject.split(' ').every((word) => word.length > 0 && word.length <= MAX_PLAIN_WORD && PLAIN_WORD.test(word));
}
