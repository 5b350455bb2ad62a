/**
 * The settings every function needs: where it runs, its port, logging, the metrics push and the bounds of
 * a request. A function's own settings live next to its code (functions/<name>/settings.ts), a shared
 * concern's next to that (shared/auth/settings.ts); see settings.ts.
 */
import { port, str } from 'envalid';
import { cidrList, httpUrl, positiveInt } from './validators';

export const commonSpecs = {
  CONFIG_FILE: str({
    default: undefined,
    desc: 'YAML file(s) with settings (mounted from a ConfigMap), comma-separated, later wins. Nested keys map to UPPER_SNAKE names.',
  }),
  SECRETS_FILE: str({
    default: undefined,
    desc: 'YAML file(s) with secret settings (mounted from a Secret), comma-separated, later wins. Wins over CONFIG_FILE.',
  }),
  ENVIRONMENT: str({
    choices: ['local', 'dev', 'staging', 'production'],
    default: 'local',
    desc: 'Where this runs; everything but local requires real peers.',
  }),
  PORT: port({ default: 8080, desc: 'HTTP port the function listens on.' }),
  LOG_FORMAT: str({
    choices: ['ecs', 'pretty'],
    default: undefined,
    desc: 'ecs: Elastic Common Schema JSON; pretty: for humans. Default: ecs when K_SERVICE is set, else pretty.',
  }),
  LOG_LEVEL: str({
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    desc: 'Lowest level that is logged.',
  }),
  K_SERVICE: str({ default: undefined, desc: 'Set by Knative: the service name.' }),
  K_REVISION: str({ default: undefined, desc: 'Set by Knative: the revision name.' }),
  HOSTNAME: str({
    default: undefined,
    desc: 'Set by Kubernetes: the pod name; part of the Pushgateway instance label.',
  }),
  PUSHGATEWAY_URL: httpUrl({
    default: undefined,
    desc: 'Prometheus Pushgateway; when set, metrics are pushed on shutdown, so a scaled-to-zero pod loses none.',
  }),
  PUSHGATEWAY_TIMEOUT_MS: positiveInt({ default: 2000, desc: 'Longest the shutdown waits for the push.' }),
  HTTP_HEADERS_TIMEOUT_SECONDS: positiveInt({
    default: 10,
    desc: 'Time a client has to send the headers of a request; slower connections get 408 and are closed.',
  }),
  TRUSTED_PROXIES: cidrList({
    default: undefined,
    desc: "Proxies whose X-Forwarded-For is believed for client.ip: when the socket peer is in one of these blocks, the client is the right-most X-Forwarded-For entry outside them. Unset: none, client.ip is the socket peer. Behind Knative's queue-proxy (same pod, loopback) set 127.0.0.1/32,::1/128.",
    example: '127.0.0.1/32,::1/128',
  }),
  MAX_BODY_BYTES: positiveInt({
    default: 65536,
    desc: 'Largest request body accepted; larger ones get 413 before they are buffered.',
  }),
  MAX_INFLIGHT_BODY_BYTES: positiveInt({
    default: 33554432,
    desc: 'The bodies one instance reads and holds at once (their declared Content-Length, or the body limit without one), until each answer is sent. A request that does not fit gets 503 server.busy with Retry-After before its body is read: memory is bounded per instance, whatever containerConcurrency lets in. At least the largest body a function accepts; checked at start.',
  }),
  REQUEST_TIMEOUT_SECONDS: positiveInt({
    default: 30,
    desc: "The whole budget of one request: its signal aborts then, and the function answers (503 http.request.timeout unless the mail is already out). Must hold the function's outgoing calls (send-mail: see its time budget); checked at start.",
  }),
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt({ default: 20, desc: 'How long in-flight requests may finish after SIGTERM.' }),
};

export type CommonSpecs = typeof commonSpecs;

/** Settings that locate the files; they are read from the environment only. */
export const fileSettings: ReadonlySet<string> = new Set<keyof CommonSpecs>(['CONFIG_FILE', 'SECRETS_FILE']);
