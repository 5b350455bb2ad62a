/**
 * The production build, started exactly as `make start` and the container start it (node + bundle, config
 * from the environment), and the function module under the stock functions-framework CLI.
 */
import { SignJWT } from 'jose';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleOf, FUNCTIONS, functionNamed } from '../../functions/catalog';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { validRequest } from '../fixtures/send-mail-requests';
import { expectErrorBody, postJson } from '../support/http-client';
import {
  expectOneLinePortHint,
  freePort,
  holdPort,
  runToEnd,
  startChild,
  type ChildFunction,
} from '../support/processes';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { signingKey, startJwksServer } from '../support/jwks-server';
import { bearer, ROLES_CLAIM } from '../support/tokens';
import { eventually } from '../support/eventually';
import { imageAllocatorEnv } from '../support/image';
import type { ErrorCode } from '../../shared/errors';

const root = join(__dirname, '..', '..');
const sendMail = functionNamed('send-mail');
const bundle = join(root, bundleOf(sendMail?.entries.launcher ?? ''));
const moduleForCli = join(root, bundleOf(sendMail?.entries.framework ?? ''));
const stockCli = join(root, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');

const SECRET = 'production-build-test-secret-0123456789abcdef';
let smtp: TestSmtpServer;
let auth: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error('dist/ is missing: run `make build` first (make test does)');
  smtp = await startSmtpServer();
  auth = await bearer({ secret: SECRET });
});

afterAll(() => smtp.stop());

beforeEach(() => smtp.reset());

describe('when send-mail runs from the production bundle', () => {
  let fn: ChildFunction;

  beforeAll(async () => {
    const port = await freePort();
    const unreachableIdp = `http://127.0.0.1:${await freePort()}`;
    fn = await startChild(
      [bundle],
      {
        PORT: String(port),
        ENVIRONMENT: 'dev',
        SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
        SMTP_URL: smtp.url,
        MAIL_FROM: 'mailer@example.com',
        LOG_FORMAT: 'ecs',
        AUTH_HS256_SECRET: SECRET,
        AUTH_JWKS_URL: `${unreachableIdp}/jwks`,
      },
      port,
    );
  });

  it('then only a valid token with the role sends, and every refusal carries the error body and trace id', async () => {
    const key = await signingKey('RS256', 'rs-unreachable');
    const attempts: { headers: Record<string, string>; status: number; code?: ErrorCode }[] = [
      { headers: {}, status: 401, code: 'auth.token.missing' },
      { headers: auth, status: 200 },
      {
        headers: await bearer({ secret: 'some-other-secret-that-is-long-enough' }),
        status: 401,
        code: 'auth.token.invalid',
      },
      { headers: await bearer({ secret: SECRET, roles: ['reader'] }), status: 403, code: 'auth.role.missing' },
      {
        headers: {
          Authorization: `Bearer ${await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'RS256', kid: key.kid }).setExpirationTime('5m').sign(key.privateKey)}`,
        },
        status: 503,
        code: 'auth.keys.unavailable',
      },
    ];
    for (const attempt of attempts) {
      const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, attempt.headers);

      expect(answer.status).toBe(attempt.status);
      expect(answer.headers.get('x-b3-traceid')).toMatch(/^[0-9a-f]{32}$/);
      if (attempt.code) expectErrorBody(answer, attempt.code);
    }
    expect(smtp.mails).toHaveLength(1);
  });

  afterAll(async () => {
    fn.child.kill('SIGTERM');
    await fn.exited;
  });

  it('then a valid request delivers one mail to the SMTP server', async () => {
    const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, {
      ...auth,
      'X-B3-TraceId': 'a3ce929d0e0e4736',
    });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-b3-traceid')).toBe('a3ce929d0e0e4736');
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.to).toEqual(['demo@mailinator.com']);
  });

  it.each<{ name: string; body: string; status: number; code: ErrorCode }>([
    { name: 'invalid JSON', body: '{"to_address":', status: 400, code: 'email.parse.error' },
    {
      name: 'a CRLF in the subject',
      body: JSON.stringify({ ...validRequest, subject: 'a\r\nBcc: x@example.com' }),
      status: 400,
      code: 'email.validation.error',
    },
    {
      name: 'a 1 MB body',
      body: JSON.stringify({ ...validRequest, body: 'x'.repeat(1024 * 1024) }),
      status: 413,
      code: 'http.body.toolarge',
    },
  ])('then $name gets $status with the error body and nothing is delivered', async ({ body, status, code }) => {
    const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, body, auth);

    expect(answer.status).toBe(status);
    expectErrorBody(answer, code);
    expect(smtp.recipientsSeen).toEqual([]);
  });

  it('then its stdout is ECS JSON with trace.id, and an invalid incoming id is replaced', async () => {
    const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, {
      ...auth,
      'X-B3-TraceId': 'host/abc-000001',
    });
    const traceId = answer.headers.get('x-b3-traceid');

    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const linesOfRequest = (): Record<string, unknown>[] =>
      fn
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => (line.trace as { id?: string } | undefined)?.id === traceId);
    const ofRequest = await eventually(linesOfRequest, (lines) => lines.length >= 2, {
      what: 'two log lines with the trace id',
    });
    expect(ofRequest[0]).toMatchObject({
      'service.name': 'send-mail',
      'service.environment': 'dev',
      'ecs.version': expect.any(String),
    });
  });

  it('then SIGTERM makes it exit 0', async () => {
    fn.child.kill('SIGTERM');

    expect(await fn.exited).toBe(0);
  });
});

describe('when send-mail cold-starts to its first RS256-authenticated 200 (keys from a JWKS over HTTP)', () => {
  const UNDICI = 'NativeModule internal/deps/undici/undici';
  const preload = join(root, 'test', 'support', 'builtins-loaded.js');
  const builtinsOf = (file: string): string[] => JSON.parse(readFileSync(file, 'utf8')) as string[];

  it("then it never loads Node's bundled fetch (undici: 40–100 ms of CPU and 17 MiB of a cold start)", async () => {
    const key = await signingKey('RS256', 'rs-cold');
    const idp = await startJwksServer([key.publicJwk]);
    const dir = mkdtempSync(join(tmpdir(), 'builtins-'));
    const loaded = join(dir, 'loaded.json');
    const port = await freePort();
    const child = await startChild(
      ['--require', preload, bundle],
      {
        PORT: String(port),
        ENVIRONMENT: 'dev',
        SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
        SMTP_URL: smtp.url,
        MAIL_FROM: 'mailer@example.com',
        AUTH_ISSUER: idp.issuer,
        BUILTINS_LOADED_FILE: loaded,
      },
      port,
    );
    try {
      const token = await new SignJWT({ [ROLES_CLAIM]: ['admin'] })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(idp.issuer)
        .setSubject('campaign-service')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key.privateKey);
      const answer = await postJson(`${child.url}${SEND_MAIL_PATH}`, validRequest, {
        Authorization: `Bearer ${token}`,
      });
      expect(answer.status).toBe(200);
      child.child.kill('SIGTERM');
      expect(await child.exited).toBe(0);

      expect(idp.jwksFetches()).toBeGreaterThanOrEqual(1);
      expect(builtinsOf(loaded)).not.toContain(UNDICI);
    } finally {
      child.child.kill('SIGKILL');
      await idp.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the same check watches a process that calls fetch, then it does see undici (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'builtins-'));
    const loaded = join(dir, 'loaded.json');
    try {
      const run = await runToEnd(['--require', preload, '-e', "fetch('http://127.0.0.1:9/').catch(() => undefined)"], {
        BUILTINS_LOADED_FILE: loaded,
      });
      expect(run.code).toBe(0);

      expect(builtinsOf(loaded)).toContain(UNDICI);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('when the function module runs under the stock functions-framework CLI', () => {
  it('then it delivers a mail too', async () => {
    const port = await freePort();
    const fn = await startChild(
      [stockCli, `--target=${sendMail?.target}`, `--source=${moduleForCli}`, `--port=${port}`],
      {
        ENVIRONMENT: 'dev',
        SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
        SMTP_URL: smtp.url,
        MAIL_FROM: 'mailer@example.com',
        NODE_ENV: 'production',
        AUTH_HS256_SECRET: SECRET,
      },
      port,
    );
    try {
      const answer = await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, auth);

      expect(answer.status).toBe(200);
      expect(smtp.mails).toHaveLength(1);
    } finally {
      fn.child.kill('SIGKILL');
      await fn.exited;
    }
  });
});

describe('when docs runs from the production bundle in production with only the common settings set', () => {
  it('then it starts and serves its spec: no SMTP, Kafka or auth setting, and no Secret, is needed', async () => {
    const port = await freePort();
    const fn = await startChild(
      [join(root, 'dist', 'docs', 'main.js')],
      { PORT: String(port), ENVIRONMENT: 'production', LOG_FORMAT: 'ecs' },
      port,
    );
    try {
      const answer = await fetch(`${fn.url}/openapi.json`);

      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { openapi?: string }).openapi).toMatch(/^3\./);
    } finally {
      fn.child.kill('SIGTERM');
      await fn.exited;
    }
  });
});

describe('when the configuration is invalid', () => {
  it('then the bundle exits non-zero listing every problem, without printing the secret', async () => {
    const result = await runToEnd([bundle], {
      ENVIRONMENT: 'production',
      SMTP_URL: 'ftp://user:topsecret@mail.example.com',
      LOG_LEVEL: 'loud',
      PORT: 'eighty',
    });

    expect(result.code).toBe(78);
    for (const name of ['SMTP_URL', 'LOG_LEVEL', 'PORT', 'MAIL_FROM']) expect(result.stderr).toContain(name);
    expect(result.stderr + result.stdout).not.toContain('topsecret');
  });

  it.each([
    { name: 'cannot be parsed', key: '-----BEGIN PRIVATE KEY-----\nnot a key, topsecret\n-----END PRIVATE KEY-----\n' },
    {
      name: 'does not match rsa-sha256 (an Ed25519 key)',
      key: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  ])(
    'when the DKIM key $name, then the bundle exits 78 naming DKIM_PRIVATE_KEY, without printing the key',
    async ({ key }) => {
      const result = await runToEnd([bundle], {
        ENVIRONMENT: 'dev',
        SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
        SMTP_URL: 'smtp://127.0.0.1:2525',
        MAIL_FROM: 'mailer@example.com',
        AUTH_HS256_SECRET: SECRET,
        DKIM_DOMAIN: 'example.com',
        DKIM_SELECTOR: 'mailer',
        DKIM_PRIVATE_KEY: key,
      });

      expect(result.code).toBe(78);
      expect(result.stderr).toContain('DKIM_PRIVATE_KEY');
      const body = key.split('\n')[1] ?? '';
      expect(body).not.toBe('');
      expect(result.stderr + result.stdout).not.toContain(body);
    },
  );
});

describe('when the port is taken by another program', () => {
  it.each(['ecs', 'pretty'])(
    'then the bundle (LOG_FORMAT=%s) exits non-zero with one line naming the port and PORT=, no stack trace',
    async (format) => {
      const held = await holdPort();
      try {
        const result = await runToEnd([bundle], {
          PORT: String(held.port),
          ENVIRONMENT: 'dev',
          SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
          LOG_FORMAT: format,
          SMTP_URL: smtp.url,
          MAIL_FROM: 'mailer@example.com',
          AUTH_HS256_SECRET: SECRET,
        });

        expectOneLinePortHint(result, held.port);
      } finally {
        await held.release();
      }
    },
  );
});

describe("when the image build warms Node's compile cache", () => {
  async function warmCompileCache(
    cache: string,
    env: Record<string, string>,
  ): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn('sh', [join(root, 'scripts', 'warm-compile-cache.sh'), process.execPath], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: cache, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => resolve({ code, output }));
    });
  }

  it("then, with the image's preloaded allocator, every function starts and drains cleanly, and the compile cache is filled", async () => {
    const cache = mkdtempSync(join(tmpdir(), 'compile-cache-'));
    try {
      const allocator = imageAllocatorEnv();
      expect(allocator.LD_PRELOAD).toBe('libjemalloc.so.2');

      const result = await warmCompileCache(cache, allocator);

      expect(result.code).toBe(0);
      for (const { name } of FUNCTIONS) expect(result.output).toContain(`${name} started and stopped`);
      // The tests run on the image's Node (.nvmrc), which writes the cache.
      expect(readdirSync(cache, { recursive: true }).length).toBeGreaterThan(0);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('then an LD_PRELOAD the loader cannot find fails the build (the loader itself only warns)', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'compile-cache-'));
    try {
      const result = await warmCompileCache(cache, { LD_PRELOAD: 'libnot-installed.so.2' });

      expect(result.code).not.toBe(0);
      expect(result.output).toContain('did not load LD_PRELOAD=libnot-installed.so.2');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('when whatever reads its stdout goes away (a closed pipe)', () => {
  it('then SIGTERM still makes it drain and exit 0, promptly', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bundle], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        ENVIRONMENT: 'dev',
        SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
        LOG_FORMAT: 'ecs',
        AUTH_ISSUER: `http://127.0.0.1:${await freePort()}/`,
        SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
        MAIL_FROM: 'mailer@example.com',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes(' listening"')) resolve();
      });
    });
    // Every later log write fails with EPIPE; an earlier logger hung forever on exit here.
    child.stdout.destroy();
    child.stderr.destroy();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const deadline = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref());
    const outcome = await Promise.race([exited, deadline]);
    if (outcome === 'hung') child.kill('SIGKILL');
    expect(outcome).toBe(0);
  });
});

describe('issue 18: the tools the image ships beside the functions', () => {
  it.each([
    { name: 'replay-events', usage: 'usage: replay-events' },
    { name: 'prune-pushgateway', usage: 'usage: prune-pushgateway' },
  ])(
    'when dist/tools/$name.js runs with a bad argument, then it is a self-contained bundle that answers with its usage and exit 2',
    async ({ name, usage }) => {
      // Copied out of the repository: a bundle that needed node_modules would fail to load there.
      const dir = mkdtempSync(join(tmpdir(), 'tool-'));
      const tool = join(dir, `${name}.js`);
      copyFileSync(join(root, 'dist', 'tools', `${name}.js`), tool);
      const run = await runToEnd([tool, name === 'prune-pushgateway' ? '--older-than=soon' : '--no-such-option'], {});
      rmSync(dir, { recursive: true, force: true });

      expect(run.stderr).toContain(usage);
      expect(run.code).toBe(2);
    },
  );

  it('when the Dockerfile is read, then the runtime stage copies all of dist/, the tools included', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist dist$/m);
  });
});
