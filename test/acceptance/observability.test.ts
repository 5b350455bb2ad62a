/**
 * Observability with real tools: ECS request lines, Prometheus exposition checked by promtool for every
 * function, and the scale-to-zero push to a real Pushgateway on SIGTERM.
 */
import { join } from 'node:path';
import { createDocsApp } from '../../functions/docs/app';
import { createHealthApp } from '../../functions/health/app';
import { createSendMailApp } from '../../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../../functions/send-mail/identity';
import { version } from '../../package.json';
import { validRequest } from '../fixtures/send-mail-requests';
import { startFunction, type AppFactory, type FunctionUnderTest } from '../support/function-under-test';
import { postJson, request } from '../support/http-client';
import { freePort, runToEnd, startChild } from '../support/processes';
import { pushedGroups, prunePushgateway } from '../../shared/metrics';
import { eventually } from '../support/eventually';
import { promtoolCheckMetrics, sampleSum, sampleValue, startPushgateway } from '../support/prometheus';
import { startSilentServer, startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { bearer } from '../support/tokens';

let smtp: TestSmtpServer;
let sendMail: FunctionUnderTest;
let auth: Record<string, string>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  // Loopback stands for Knative's queue-proxy, 10.0.0.0/8 for the cluster's own proxies.
  sendMail = await startFunction(createSendMailApp, {
    SMTP_URL: smtp.url,
    K_SERVICE: 'send-mail',
    K_REVISION: 'send-mail-00007',
    TRUSTED_PROXIES: '127.0.0.1/32,10.0.0.0/8',
  });
  auth = await bearer();
  await postJson(`${sendMail.url}${SEND_MAIL_PATH}`, validRequest, auth);
  await postJson(`${sendMail.url}${SEND_MAIL_PATH}`, validRequest);
  await request(`${sendMail.url}/livez`);
});

afterAll(async () => {
  await sendMail.stop();
  await smtp.stop();
});

it('when a request is served through trusted proxies, then its ECS log line has the http, url, client, user agent and trace fields', async () => {
  const answer = await postJson(`${sendMail.url}${SEND_MAIL_PATH}`, validRequest, {
    ...auth,
    'User-Agent': 'campaign-service/1.0',
    'X-Forwarded-For': '198.51.100.9, 203.0.113.7, 10.0.0.1',
  });
  const traceId = answer.headers.get('x-b3-traceid');

  const line = sendMail.logs
    .lines()
    .find((entry) => entry.message === `POST ${SEND_MAIL_PATH} 200` && (entry.trace as { id?: string }).id === traceId);
  expect(line).toMatchObject({
    '@timestamp': expect.any(String),
    'log.level': 'info',
    'ecs.version': expect.any(String),
    'service.name': 'send-mail',
    'service.version': version,
    'service.environment': 'local',
    trace: { id: traceId },
    span: { id: expect.stringMatching(/^[0-9a-f]{16}$/) },
    http: { request: { method: 'POST' }, response: { status_code: 200 } },
    url: { path: SEND_MAIL_PATH },
    client: { ip: '203.0.113.7' },
    user_agent: { original: 'campaign-service/1.0' },
    event: { duration: expect.any(Number), outcome: 'success' },
  });
});

it('when probes and /metrics are polled 20 times, then no access-log line is written and http_server_requests_seconds does not move', async () => {
  const accessLines = (): number =>
    sendMail.logs.lines().filter((line) => (line.http as { response?: unknown } | undefined)?.response !== undefined)
      .length;
  const requestsCounted = async (): Promise<number> =>
    sampleSum(await (await fetch(`${sendMail.url}/metrics`)).text(), 'http_server_requests_seconds_count');
  const linesBefore = accessLines();
  const countedBefore = await requestsCounted();

  const paths = Array.from({ length: 20 }, (_, i) => ['/livez', '/readyz', '/metrics'][i % 3] ?? '/livez');
  const answers = await Promise.all(paths.map(async (path) => (await fetch(`${sendMail.url}${path}`)).status));

  expect(answers).toEqual(Array(20).fill(200));
  expect(await requestsCounted()).toBe(countedBefore);
  // One request after them: once its line is written, a line of any probe answered before it would be too.
  expect((await request(`${sendMail.url}/nope`)).status).toBe(404);
  while (accessLines() === linesBefore) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(accessLines()).toBe(linesBefore + 1);
});

describe('when /metrics is scraped after traffic', () => {
  it('then send-mail exposes the request, business and breaker series, labelled with the Knative revision', async () => {
    const answer = await request(`${sendMail.url}/metrics`);
    const text = answer.text;

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const revision = { function: 'send-mail', k_service: 'send-mail', k_revision: 'send-mail-00007' };
    const route = { ...revision, route: SEND_MAIL_PATH, method: 'POST' };
    expect(sampleValue(text, 'http_server_requests_seconds_count', { ...route, status: '200' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sampleValue(text, 'http_server_requests_seconds_count', { ...route, status: '401' })).toBe(1);
    expect(sampleValue(text, 'mailer_emails_total', { ...revision, outcome: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'mailer_auth_failures_total', { ...revision, reason: 'missing' })).toBe(1);
    expect(sampleValue(text, 'circuit_breaker_state', { ...revision, breaker: 'smtp' })).toBe(0);
    expect(
      sampleValue(text, 'circuit_breaker_calls_total', { ...revision, breaker: 'smtp', result: 'success' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'function_cold_start_seconds', revision)).toBeGreaterThan(0);
    expect(sampleValue(text, 'process_cpu_seconds_total', revision)).toBeGreaterThan(0);
    expect(text).not.toContain('route="/livez"');
    expect(text).not.toContain('route="/metrics"');
  });

  it.each<{ name: string; create: AppFactory }>([
    { name: 'send-mail', create: createSendMailApp },
    { name: 'health', create: createHealthApp },
    { name: 'docs', create: createDocsApp },
  ])('then promtool check metrics passes for $name', async ({ name, create }) => {
    const fn = name === 'send-mail' ? sendMail : await startFunction(create, { SMTP_URL: smtp.url });
    try {
      await request(`${fn.url}/nope`);
      const { code, output } = await promtoolCheckMetrics((await request(`${fn.url}/metrics`)).text);

      expect(output).toBe('');
      expect(code).toBe(0);
    } finally {
      if (fn !== sendMail) await fn.stop();
    }
  });
});

it('when the production bundle gets SIGTERM, then its metrics reach a real Pushgateway grouped by job and instance', async () => {
  const gateway = await startPushgateway();
  try {
    const port = await freePort();
    const secret = 'pushgateway-test-secret-0123456789abcdef';
    const fn = await startChild(
      [join(__dirname, '..', '..', 'dist', 'send-mail', 'main.js')],
      {
        PORT: String(port),
        ENVIRONMENT: 'dev',
        SUPPRESSION_CHECK: 'off', // no suppression list here: docs/database.md
        SMTP_URL: smtp.url,
        MAIL_FROM: 'mailer@example.com',
        AUTH_HS256_SECRET: secret,
        PUSHGATEWAY_URL: gateway.url,
        K_REVISION: 'send-mail-00042',
        HOSTNAME: 'send-mail-pod-a',
      },
      port,
    );
    expect((await postJson(`${fn.url}${SEND_MAIL_PATH}`, validRequest, await bearer({ secret }))).status).toBe(200);

    fn.child.kill('SIGTERM');

    expect(await fn.exited).toBe(0);
    const pushed = await gateway.metrics();
    expect(
      sampleValue(pushed, 'mailer_emails_total', {
        job: 'send-mail',
        instance: 'send-mail-00042:send-mail-pod-a',
        outcome: 'sent',
      }),
    ).toBe(1);
  } finally {
    await gateway.stop();
  }
});

it('when the Pushgateway hangs, then the push is logged as failed and shutdown still ends, bounded', async () => {
  const silent = await startSilentServer();
  try {
    const port = await freePort();
    const fn = await startChild(
      [join(__dirname, '..', '..', 'dist', 'health', 'main.js')],
      {
        PORT: String(port),
        PUSHGATEWAY_URL: silent.url.replace('smtp:', 'http:'),
        PUSHGATEWAY_TIMEOUT_MS: '300',
        LOG_FORMAT: 'ecs',
      },
      port,
    );

    fn.child.kill('SIGTERM');

    expect(await fn.exited).toBe(0);
    const lines = fn
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.message === 'metrics push failed')).toBe(true);
  } finally {
    await silent.stop();
  }
});

describe('issue 18: the Pushgateway never forgets, so stopped pods are pruned', () => {
  const push = async (url: string, job: string, instance: string): Promise<void> => {
    const response = await fetch(`${url}/metrics/job/${job}/instance/${encodeURIComponent(instance)}`, {
      method: 'PUT',
      body: '# TYPE prune_probe_total counter\nprune_probe_total 3\n',
    });
    expect(response.status).toBe(200);
  };
  const groupsOf = async (url: string): Promise<string[]> =>
    (await pushedGroups(url, 1000)).map((group) => `${group.labels.job} ${group.labels.instance}`).sort();

  it('when groups were pushed before the cutoff, then only those of the mailer functions are deleted; later ones and other jobs stay', async () => {
    const gateway = await startPushgateway();
    try {
      await push(gateway.url, 'send-mail', 'send-mail-00001:pod-old');
      await push(gateway.url, 'nightly-batch', 'runner');
      const [old] = (await pushedGroups(gateway.url, 1000)).filter((group) => group.labels.job === 'send-mail');
      // The next push must carry a later push time than the cutoff taken after the first.
      await eventually(
        () => Date.now() / 1000,
        (now) => now > (old?.pushedAt ?? 0) + 0.01,
        { what: 'the clock past the first push' },
      );
      const cutoff = new Date();
      await eventually(
        () => Date.now(),
        (now) => now > cutoff.getTime() + 10,
        { what: 'the clock past the cutoff' },
      );
      await push(gateway.url, 'send-mail', 'send-mail-00002:pod-new');

      const deleted = await prunePushgateway(gateway.url, {
        before: cutoff,
        jobs: ['send-mail', 'health', 'docs'],
        timeoutMs: 1000,
      });

      expect(deleted.map((group) => group.labels.instance)).toEqual(['send-mail-00001:pod-old']);
      expect(await groupsOf(gateway.url)).toEqual(['nightly-batch runner', 'send-mail send-mail-00002:pod-new']);
      expect(await gateway.metrics()).not.toContain('pod-old');
    } finally {
      await gateway.stop();
    }
  });

  it('when the image tool runs with --older-than=0s, then every mailer group is gone and it says how many', async () => {
    const gateway = await startPushgateway();
    try {
      await push(gateway.url, 'send-mail', 'send-mail-00003:pod-a');
      await push(gateway.url, 'health', 'health-00001:pod-b');
      await push(gateway.url, 'nightly-batch', 'runner');

      const run = await runToEnd(
        [join(__dirname, '..', '..', 'dist', 'tools', 'prune-pushgateway.js'), '--older-than=0s'],
        {
          PUSHGATEWAY_URL: gateway.url,
        },
      );

      expect(run.stdout).toContain('2 groups deleted');
      expect(run.code).toBe(0);
      expect(await groupsOf(gateway.url)).toEqual(['nightly-batch runner']);
    } finally {
      await gateway.stop();
    }
  });
});
