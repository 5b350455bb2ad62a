/**
 * What the docs function serves and `make docs-site` publishes: the spec (JSON and YAML), the event
 * schemas, and Swagger UI from swagger-ui-dist (no CDN: it works offline).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import spec from '../../openapi/openapi.json';
import { specToYaml } from '../../openapi/yaml';
import emailSentSchema from '../../openapi/schemas/email-sent.v1.json';
import { EMAIL_SENT_SCHEMA_FILE } from '../send-mail/email-sent-event';
import type { StaticContent } from '../../shared/http';

export interface SiteFile {
  /** Path below the site root, e.g. `openapi.json` or `swagger-ui/index.html`. */
  readonly path: string;
  readonly load: () => StaticContent;
  /** Versioned third-party assets may be cached longer than our own documents. */
  readonly immutable: boolean;
}

const SWAGGER_ASSETS: readonly [string, string][] = [
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['swagger-ui-standalone-preset.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
];

/** Swagger UI's page; `specUrl` is relative so the same page works on any host and below any prefix. */
export function swaggerPage(specUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Mailer functions API</title>
  <link rel="stylesheet" href="swagger-ui.css">
  <link rel="icon" type="image/png" href="favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script src="swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#swagger-ui', deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
  </script>
</body>
</html>
`;
}

const text = (data: string, contentType: string) => (): StaticContent => ({ data: Buffer.from(data), contentType });

export function siteFiles(): SiteFile[] {
  const swaggerDir = getAbsoluteFSPath();
  return [
    { path: 'openapi.json', load: text(`${JSON.stringify(spec, null, 2)}\n`, 'application/json; charset=utf-8'), immutable: false },
    { path: 'openapi.yaml', load: text(specToYaml(spec), 'application/yaml; charset=utf-8'), immutable: false },
    { path: `schemas/${EMAIL_SENT_SCHEMA_FILE}`, load: text(`${JSON.stringify(emailSentSchema, null, 2)}\n`, 'application/schema+json'), immutable: false },
    { path: 'swagger-ui/index.html', load: text(swaggerPage('../openapi.json'), 'text/html; charset=utf-8'), immutable: false },
    ...SWAGGER_ASSETS.map(([file, contentType]) => ({
      path: `swagger-ui/${file}`,
      load: (): StaticContent => ({ data: readFileSync(join(swaggerDir, file)), contentType }),
      immutable: true,
    })),
  ];
}
