// Test-side handle for the real OIDC IdP in idp-server.mjs (oidc-provider 9, ESM-only -> child process).
// CommonJS-compatible TypeScript; uses only node built-ins + global fetch (Node >= 18).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export type ClientId = 'mailer-rs256' | 'mailer-es256' | 'reader-rs256';

export interface RecordedRequest {
  method: string;
  url: string; // path + query as received
  path: string;
  headers: Record<string, string | string[] | undefined>; // lower-cased names (node http)
  at: string; // ISO timestamp
}

export interface IdpClientConfig {
  alg: 'RS256' | 'ES256';
  roles: string[];
  secret?: string;
}

export interface StartIdpOptions {
  /** resource indicator requested by token() and put in "aud" (default https://mailer.example.com) */
  audience?: string;
  /** fixed port; default 0 = ephemeral */
  port?: number;
  /** replaces the default clients (mailer-rs256/admin, mailer-es256/admin, reader-rs256/reader) */
  clients?: Record<string, IdpClientConfig>;
  /** name of the roles claim (default https://github.com/StephanHCB/go-campaign-service/roles) */
  rolesClaim?: string;
  /** ms to wait for READY (default 15000) */
  startTimeoutMs?: number;
  /** forward the IdP's stderr (oidc-provider warnings) to this process' stderr */
  debug?: boolean;
  /** path of idp-server.mjs (default: next to this file) */
  serverScript?: string;
}

/** What the IdP reports when it is ready. */
interface ReadyInfo {
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  discoveryUri: string;
  audience: string;
  rolesClaim: string;
  clients: Record<string, Required<IdpClientConfig>>;
  /** pid of the IdP child process */
  pid: number;
}

export interface Idp extends ReadyInfo {
  /** real client_credentials request (client_secret_post, resource=audience); returns access_token */
  token(client: ClientId | (string & {}), extra?: Record<string, string>): Promise<string>;
  /** every request the IdP received (except the /__ control endpoints), oldest first */
  requests(): Promise<RecordedRequest[]>;
  resetRequests(): Promise<void>;
  /** add a new RSA key (new kid) to the JWKS and sign subsequent RS256 tokens with it */
  rotate(): Promise<{ kid: string; kids: string[] }>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // synchronous last resort; the child also exits on its own when its stdin pipe closes
  // (covers the parent being SIGKILLed)
  process.on('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

export async function startIdp(opts: StartIdpOptions = {}): Promise<Idp> {
  installExitHook();
  const script = opts.serverScript ?? path.join(__dirname, 'idp-server.mjs');
  const env: NodeJS.ProcessEnv = { ...process.env, IDP_EXIT_ON_STDIN_CLOSE: '1' };
  if (opts.audience) env.IDP_AUDIENCE = opts.audience;
  if (opts.clients) env.IDP_CLIENTS = JSON.stringify(opts.clients);
  if (opts.rolesClaim) env.IDP_ROLES_CLAIM = opts.rolesClaim;
  // don't let a NODE_OPTIONS from jest/ts-node/tsx (loaders, --require hooks) leak into the plain-node child
  delete env.NODE_OPTIONS;

  const child = spawn(process.execPath, [script, String(opts.port ?? 0)], {
    cwd: path.dirname(script),
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (opts.debug) process.stderr.write(`[idp] ${d}`);
    stderr = (stderr + d).slice(-8000);
  });

  const info = await new Promise<ReadyInfo>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => fail(new Error(`IdP did not print READY within ${opts.startTimeoutMs ?? 15000}ms`)),
      opts.startTimeoutMs ?? 15000,
    );
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      err.message += stderr ? `\n--- idp stderr ---\n${stderr}` : '';
      reject(err);
    }
    const onExit = (code: number | null, sig: NodeJS.Signals | null): void =>
      fail(new Error(`IdP exited before READY (code ${code}, signal ${sig})`));
    child.once('error', fail);
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith('READY ')) {
          clearTimeout(timer);
          child.off('error', fail);
          child.off('exit', onExit);
          child.on('error', () => {
            /* e.g. kill after exit; nothing to do */
          });
          try {
            resolve(JSON.parse(line.slice(6)) as ReadyInfo);
          } catch (e) {
            fail(e as Error);
          }
          return;
        }
      }
    });
  });
  // don't keep the test runner's event loop alive because of the child (stop() is still expected)
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void })?.unref?.();

  const ctl = async (method: string, p: string): Promise<Response> => {
    const res = await fetch(new URL(p, info.issuer), { method });
    if (!res.ok) throw new Error(`IdP ${method} ${p} -> ${res.status} ${await res.text()}`);
    return res;
  };

  return {
    ...info,
    async token(client, extra = {}) {
      const c = info.clients[client];
      if (!c) throw new Error(`unknown IdP client ${client}`);
      const res = await fetch(info.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client,
          client_secret: c.secret,
          resource: info.audience,
          ...extra,
        }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!res.ok || !body.access_token)
        throw new Error(`token request for ${client} failed: ${res.status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async requests() {
      return (await (await ctl('GET', '/__requests')).json()) as RecordedRequest[];
    },
    async resetRequests() {
      await ctl('POST', '/__requests/reset');
    },
    async rotate() {
      return (await (await ctl('POST', '/__rotate')).json()) as { kid: string; kids: string[] };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killTimer);
    },
  };
}
