/**
 * The recipients of one request, judged together after the schema: each address by the rules of
 * address.ts, no address twice (to_address, cc and bcc together, compared as delivered), and at most
 * MAX_RECIPIENTS in all. Problems name the field as the schema does: `cc/1` is the second cc address.
 */
import type { FieldProblem } from '../../../shared/errors';
import { checkAddress } from '../../../shared/addresses';

export interface RecipientFields {
  readonly to_address: string;
  readonly cc?: readonly string[] | undefined;
  readonly bcc?: readonly string[] | undefined;
  readonly reply_to?: string | undefined;
}

export interface Recipients {
  readonly to: string;
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly replyTo: string | undefined;
}

export type RecipientsCheck =
  { readonly ok: true; readonly recipients: Recipients } | { readonly ok: false; readonly problems: FieldProblem[] };

export function checkRecipients(fields: RecipientFields, maxRecipients: number): RecipientsCheck {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const check = (field: string, input: string, envelope: boolean): string => {
    const result = checkAddress(input);
    if (!result.ok) {
      problems.push({ field, code: result.problem });
      return input;
    }
    // Local parts are case-sensitive in principle, but no mailbox provider treats them so: one mail each.
    const key = result.address.toLowerCase();
    if (envelope && seen.has(key)) problems.push({ field, code: 'address.duplicate' });
    if (envelope) seen.add(key);
    return result.address;
  };
  const to = check('to_address', fields.to_address, true);
  const cc = (fields.cc ?? []).map((address, index) => check(`cc/${index}`, address, true));
  const bcc = (fields.bcc ?? []).map((address, index) => check(`bcc/${index}`, address, true));
  const replyTo = fields.reply_to === undefined ? undefined : check('reply_to', fields.reply_to, false);
  const count = 1 + cc.length + bcc.length;
  // The pseudo-field `recipients` stands for to_address, cc and bcc together.
  if (count > maxRecipients) problems.push({ field: 'recipients', code: 'recipients.too_many' });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, recipients: { to, cc, bcc, replyTo } };
}
