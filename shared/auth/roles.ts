/** Authorization from the namespaced roles claim: a list of strings that must hold the role (or one of them). */
import type { JWTPayload } from 'jose';
import { roleMissing } from './errors';

/** Whether the claims' roles list holds `role`; a claim that is not a list of strings holds none. */
export function holdsRole(claims: JWTPayload, claim: string, role: string): boolean {
  const roles = claims[claim];
  const valid = Array.isArray(roles) && roles.every((entry) => typeof entry === 'string');
  return valid && roles.includes(role);
}

/** Throws auth.role.missing unless the claims hold `role`, or one of `role` when it is a list. */
export function requireRole(claims: JWTPayload, claim: string, role: string | readonly string[]): void {
  const wanted = typeof role === 'string' ? [role] : role;
  if (!wanted.some((one) => holdsRole(claims, claim, one))) throw roleMissing();
}
