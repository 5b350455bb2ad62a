export {
  createAuthenticator,
  type AuthConfig,
  type AuthFailureCounter,
  type Authenticator,
  type AuthTelemetry,
} from './authenticator';
export { authErrorStatus, AuthError, roleMissing, type AuthErrorCode, type AuthFailureReason } from './errors';
export { discoveryUrl } from './jwks';
export {
  ASYMMETRIC_ALGORITHMS,
  authSettings,
  authSpecs,
  jwksBudgetShares,
  type AuthSettings,
  type AuthSpecs,
} from './settings';
export { authFailureCounter } from './metrics';
export { callerOf, subjectOf } from './caller';
export { holdsRole } from './roles';
