/** The auth-failure metric, on the registry of the function that checks tokens. */
import { Counter, type Registry } from 'prom-client';
import type { AuthFailureCounter } from './authenticator';

export function authFailureCounter(registry: Registry): AuthFailureCounter {
  const failures = new Counter({
    name: 'mailer_auth_failures_total',
    help: 'Refused requests by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  return (reason) => failures.inc({ reason });
}
