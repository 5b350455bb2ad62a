/**
 * The `Name: value` field groups of a message/delivery-status or message/feedback-report body (RFC 3464
 * §2.1, RFC 5965 §3.1): groups separated by blank lines, continuation lines folded back. The MIME around
 * them is postal-mime's; this is only the body's own header-like syntax.
 */
export type FieldGroup = ReadonlyMap<string, readonly string[]>;

export function fieldGroups(body: string): FieldGroup[] {
  const groups: Map<string, string[]>[] = [];
  let group: Map<string, string[]> | undefined;
  let last: { values: string[] } | undefined;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') {
      group = undefined;
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(line) && last) {
      last.values[last.values.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    if (!group) {
      group = new Map();
      groups.push(group);
    }
    const values = group.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    group.set(name, values);
    last = { values };
  }
  return groups;
}

export function first(group: FieldGroup, name: string): string | undefined {
  return group.get(name)?.[0];
}

/** `rfc822; user@example.org` → `user@example.org` (the address type and any angle brackets dropped). */
export function typedAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const address = value
    .replace(/^[\w.-]+\s*;\s*/, '')
    .replace(/^<|>$/g, '')
    .trim();
  // RFC 5321: at most 254 octets, 64 before the @.
  return address.length <= 254 && /^[^@\s]{1,64}@[^@\s]+$/.test(address) ? address : undefined;
}

/** `smtp; 550 5.1.1 …` → `550 5.1.1 …`. */
export function typedText(value: string | undefined): string | undefined {
  return value?.replace(/^[\w-]+\s*;\s*/, '').trim();
}
