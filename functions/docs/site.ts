/**
 * What the docs function serves and `make docs-site` publishes: the spec (JSON and YAML), the event
 * schemas, and Swagger UI from swagger-ui-dist (no CDN: it works offline).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import spec from '../../openapi/openapi.json';
import { specToYaml } from '../../openapi/yaml';
import emailBouncedSchema from '../../openapi/schemas/email-bounced.v1.json';
import emailComplainedSchema from '../../openapi/schemas/email-complained.v1.json';
import emailDelayedSchema from '../../openapi/schemas/email-delayed.v1.json';
import emailSentSchema from '../../openapi/schemas/email-sent.v1.json';
import suppressionChangedSchema from '../../openapi/schemas/email-suppression-changed.v1.json';
import unsubscribedSchema from '../../openapi/schemas/email-unsubscribed.v1.json';
import { feedbackSchemaFile } from '../../shared/contracts/email-feedback';
import { EMAIL_SENT_SCHEMA_FILE } from '../../shared/contracts/email-sent';
import { SUPPRESSION_CHANGED_SCHEMA_FILE, UNSUBSCRIBED_SCHEMA_FILE } from '../../shared/contracts/email-suppression';
import type { StaticContent } from '../../shared/http';

export interface SiteFile {
  /** Path below the site root, e.g. `openapi.json` or `swagger-ui/index.html`. */
  readonly path: string;
  readonly load: () => StaticContent;
  /** Versioned third-party assets may be cached longer than our own documents. */
  readonly immutable: boolean;
}

export const SWAGGER_ASSETS: readonly [string, string][] = [
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
];

/** Paths a person types to find the docs; each redirects to the Swagger UI page (see app.ts). */
export const DOCS_PAGE = '/swagger-ui/';
export const DOCS_REDIRECTS: readonly string[] = ['/', '/docs', '/swagger', '/swagger-ui'];

/**
 * Swagger UI's page. Served, it loads the spec from a URL relative to the page (any host, any prefix),
 * resolved in the browser so Swagger UI shows the absolute URL; published as a static site, it embeds the
 * spec, so it opens even from a file with no server at all. No top bar: its box to explore other specs
 * is of no use here.
 */
export function swaggerPage(source: { url: string } | { spec: object }, assetBase = ''): string {
  const specOption =
    'url' in source
      ? `url: new URL(${JSON.stringify(source.url)}, document.baseURI).href`
      : `spec: ${JSON.stringify(source.spec).replace(/</g, '\\u003c')}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Mailer functions API</title>
  <link rel="stylesheet" href="${assetBase}swagger-ui.css">
  <link rel="icon" type="image/png" href="${assetBase}favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${assetBase}swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ ${specOption}, dom_id: '#swagger-ui', deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' });
  </script>
</body>
</html>
`;
}

const text = (data: string, contentType: string) => (): StaticContent => ({ data: Buffer.from(data), contentType });

export function siteFiles(): SiteFile[] {
  const swaggerDir = getAbsoluteFSPath();
  return [
    {
      path: 'openapi.json',
      load: text(`${JSON.stringify(spec, null, 2)}\n`, 'application/json; charset=utf-8'),
      immutable: false,
    },
    { path: 'openapi.yaml', load: text(specToYaml(spec), 'application/yaml; charset=utf-8'), immutable: false },
    ...(
      [
        [EMAIL_SENT_SCHEMA_FILE, emailSentSchema],
        [feedbackSchemaFile('email.bounced'), emailBouncedSchema],
        [feedbackSchemaFile('email.delayed'), emailDelayedSchema],
        [feedbackSchemaFile('email.complained'), emailComplainedSchema],
        [SUPPRESSION_CHANGED_SCHEMA_FILE, suppressionChangedSchema],
        [UNSUBSCRIBED_SCHEMA_FILE, unsubscribedSchema],
      ] as const
    ).map(([file, schema]) => ({
      path: `schemas/${file}`,
      load: text(`${JSON.stringify(schema, null, 2)}\n`, 'application/schema+json'),
      immutable: false,
    })),
    {
      path: 'swagger-ui/index.html',
      load: text(swaggerPage({ url: '../openapi.json' }), 'text/html; charset=utf-8'),
      immutable: false,
    },
    ...SWAGGER_ASSETS.map(([file, contentType]) => ({
      path: `swagger-ui/${file}`,
      load: (): StaticContent => ({ data: readFileSync(join(swaggerDir, file)), contentType }),
      immutable: true,
    })),
  ];
}

/**
 * The static site: everything the docs function serves, plus an index page. Every page embeds the spec:
 * a browser refuses to fetch ../openapi.json from a page opened as a file.
 */
export function staticSiteFiles(): SiteFile[] {
  const embedded = (assetBase: string) => text(swaggerPage({ spec }, assetBase), 'text/html; charset=utf-8');
  return [
    { path: 'index.html', load: embedded('swagger-ui/'), immutable: false },
    ...siteFiles().map((file) => (file.path === 'swagger-ui/index.html' ? { ...file, load: embedded('') } : file)),
  ];
}
