/** Authorization from the namespaced roles claim: a list of strings that must hold the role. */
import type { JWTPayload } from 'jose';
import { roleMissing } from './errors';

export function requireRole(claims: JWTPayload, claim: string, role: string): void {
  const roles = claims[claim];
  const valid = Array.isArray(roles) && roles.every((entry) => typeof entry === 'string');
  if (!valid || !roles.includes(role)) throw roleMissing();
}
