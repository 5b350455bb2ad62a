/**
 * The docs function: the committed spec and schemas with proper content types, ETag and 304, and Swagger
 * UI rendered by a real headless Chromium, served by us and as the static site with no server at all.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { createDocsApp } from '../../functions/docs/app';
import { DOCS_REDIRECTS } from '../../functions/docs/site';
import { writeDocsSite } from '../../scripts/docs-site';
import { launchChromium } from '../support/browser';
import { startFunction, type FunctionUnderTest } from '../support/function-under-test';
import { request } from '../support/http-client';

const root = join(__dirname, '..', '..');
let docs: FunctionUnderTest;
let browser: Browser;

beforeAll(async () => {
  docs = await startFunction(createDocsApp);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await docs.stop();
});

describe.each([
  { path: '/openapi.json', file: 'openapi/openapi.json', contentType: 'application/json; charset=utf-8' },
  { path: '/openapi.yaml', file: 'openapi/openapi.yaml', contentType: 'application/yaml; charset=utf-8' },
  {
    path: '/schemas/email-sent.v1.json',
    file: 'openapi/schemas/email-sent.v1.json',
    contentType: 'application/schema+json',
  },
])('when $path is asked', ({ path, file, contentType }) => {
  it('then it is the committed file, with its content type, an ETag and no-cache', async () => {
    const answer = await request(`${docs.url}${path}`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(contentType);
    expect(answer.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(answer.headers.get('cache-control')).toBe('no-cache');
    expect(answer.text).toBe(await readFile(join(root, file), 'utf8'));
  });

  it('then If-None-Match with its ETag gets 304 and no body', async () => {
    const etag = (await request(`${docs.url}${path}`)).headers.get('etag') ?? '';

    const answer = await request(`${docs.url}${path}`, { headers: { 'If-None-Match': etag } });

    expect(answer.status).toBe(304);
    expect(answer.text).toBe('');
  });
});

it.each([
  { path: '/swagger-ui/', contentType: 'text/html; charset=utf-8', cache: 'no-cache' },
  {
    path: '/swagger-ui/swagger-ui-bundle.js',
    contentType: 'text/javascript; charset=utf-8',
    cache: 'public, max-age=86400',
  },
  { path: '/swagger-ui/swagger-ui.css', contentType: 'text/css; charset=utf-8', cache: 'public, max-age=86400' },
])(
  'when $path is asked, then it comes from swagger-ui-dist with $contentType',
  async ({ path, contentType, cache }) => {
    const answer = await request(`${docs.url}${path}`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(contentType);
    expect(answer.headers.get('cache-control')).toBe(cache);
    expect(answer.headers.get('etag')).toBeTruthy();
    expect(answer.text.length).toBeGreaterThan(500);
  },
);

it.each(DOCS_REDIRECTS)('when %s is asked, then it redirects to /swagger-ui/', async (path) => {
  const answer = await request(`${docs.url}${path}`, { redirect: 'manual' });

  expect(answer.status).toBe(302);
  expect(answer.headers.get('location')).toBe('/swagger-ui/');
});

it('when Swagger UI is opened in Chromium, then it renders the sendmail operation from our spec, names the spec by its absolute URL and lists no asset', async () => {
  const page = await browser.newPage();
  const external: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith(docs.url)) external.push(req.url());
  });
  try {
    await page.goto(`${docs.url}/swagger-ui/`);
    const operation = page.locator('.opblock-post .opblock-summary-path[data-path="/api/rest/v1/sendmail"]');
    await operation.waitFor({ timeout: 15_000 });

    expect(await operation.count()).toBe(1);
    expect(await page.locator('.info .title').innerText()).toContain('Mailer functions');
    expect(await page.locator('.info').innerText()).toContain(`${docs.url}/openapi.json`);
    expect(await page.locator('#swagger-ui').innerText()).not.toContain('../openapi.json');
    expect(await page.locator('.topbar').count()).toBe(0);
    expect(await page.locator('.opblock-summary-path', { hasText: /\.(css|js|png)$/ }).count()).toBe(0);
    expect(external.filter((url) => !url.startsWith('data:'))).toEqual([]);
    await page.screenshot({ path: join(root, 'test-results', 'swagger-ui.png'), fullPage: true });
  } finally {
    await page.close();
  }
});

it.each(['index.html', 'swagger-ui/index.html'])(
  'when the static site is opened from disk at %s, then it renders the spec with no server at all',
  async (file) => {
    const dir = await mkdtemp(join(tmpdir(), 'docs-site-'));
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('requestfailed', (req) => failures.push(req.url()));
    try {
      writeDocsSite(dir);
      await page.goto(pathToFileURL(join(dir, file)).href);
      const operation = page.locator('.opblock-post .opblock-summary-path[data-path="/api/rest/v1/sendmail"]');
      await operation.waitFor({ timeout: 15_000 });

      expect(await operation.count()).toBe(1);
      expect(await page.getByText('Failed to load API definition').count()).toBe(0);
      expect(failures).toEqual([]);
      await page.screenshot({
        path: join(root, 'test-results', `docs-site-${file.replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    } finally {
      await page.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
