export { createAuthenticator, type AuthConfig, type AuthFailureCounter, type Authenticator } from './authenticator';
export { authErrorStatus, AuthError, type AuthFailureReason } from './errors';
