/** The caller's one name, from its token's claims: what its idempotency keys and its mails' timelines are scoped to. */
import type { JWTPayload } from 'jose';

/**
 * Who the caller is, one-to-one with the token's identity claims, so two callers never share a name (an
 * Idempotency-Key's scope, a mail's timeline):
 * the issuer with its subject, else its authorized party (`azp`, or `client_id`). The usual shape (string
 * claims) keeps the name it always had, so idempotency keys stored before stay valid; any other shape (a number, an
 * array, an empty string, a missing issuer) is named by all four claims with their JSON types, in a form
 * the usual one can never take.
 */
export function callerOf(claims: JWTPayload): string {
  const { iss, sub, azp } = claims;
  const clientId: unknown = claims.client_id;
  const text = (value: unknown): value is string => typeof value === 'string' && value !== '';
  // No issuer (HS256 tokens) was always named as the empty one; an issuer that is "" is not usual.
  if (iss === undefined || text(iss)) {
    const issuer = iss ?? '';
    if (text(sub)) return JSON.stringify([issuer, 'sub', sub]);
    if (sub === undefined && text(azp)) return JSON.stringify([issuer, 'client', azp]);
    if (sub === undefined && azp === undefined && text(clientId)) return JSON.stringify([issuer, 'client', clientId]);
  }
  // Absent is 0, present is [value]: JSON keeps types apart (1001 vs "1001"), and 0 is no array.
  const tagged = (value: unknown): unknown => (value === undefined ? 0 : [value]);
  return JSON.stringify(['claims', tagged(iss), tagged(sub), tagged(azp), tagged(clientId)]);
}

/** The caller's own name in its token, as settings name callers (e.g. per-caller rate limits): sub, else azp/client_id. */
export function subjectOf(claims: JWTPayload): string | undefined {
  const names: unknown[] = [claims.sub, claims.azp, claims.client_id];
  return names.find((name): name is string => typeof name === 'string' && name !== '');
}
