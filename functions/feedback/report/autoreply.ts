/**
 * Automatic replies (RFC 3834: vacation, out of office): recognized, so that they are never taken for a
 * bounce, and ignored. Checked after the report parts: a DSN carries `Auto-Submitted: auto-replied` too.
 */
import { headerValues, type Mime } from './mime';

const SUBJECT =
  /^\s*(auto(matic)?[ -]?(reply|response|respons|antwort)|out of (the )?office|away from|absence|on vacation|vacation reply|abwesenheit|autoreply|réponse automatique)|auto(matic)? ?(reply|respons)/i;

export function isAutoReply(mime: Mime): boolean {
  const autoSubmitted = headerValues(mime, 'auto-submitted').some((value) =>
    /auto-replied|auto-generated/i.test(value),
  );
  const marked =
    headerValues(mime, 'x-autoreply').length > 0 ||
    headerValues(mime, 'x-autorespond').length > 0 ||
    headerValues(mime, 'x-autoresponse').length > 0 ||
    headerValues(mime, 'precedence').some((value) => /auto_reply/i.test(value));
  return autoSubmitted || marked || SUBJECT.test(mime.subject);
}
