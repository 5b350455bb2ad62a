/**
 * Builds the OpenAPI 3.1 spec from the code's own definitions: each function in functions/catalog.ts
 * describes its paths and schemas (functions/<name>/api.ts), and the request, response and error schemas
 * are the objects the runtime validates and answers with. Declared here: what every function shares (the
 * error body, the trace and auth headers, the probes and /metrics). `make openapi` writes openapi/openapi.json
 * and .yaml. A build script, so it may read the catalog: nothing in openapi/ imports functions/.
 */
import { OpenApiBuilder, type OpenAPIObject } from 'openapi3-ts/oas31';
import { FUNCTIONS } from '../functions/catalog';
import { errorBodySchema } from '../shared/errors';
import { version } from '../package.json';
import { asSchema, json, schemaRef, type ApiDescription } from '../openapi/parts';

export async function buildSpec(): Promise<OpenAPIObject> {
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion('3.1.0')
    .addInfo({
      title: 'Mailer functions',
      version,
      description:
        'Send mail over SMTP, with an optional email.sent CloudEvent to Kafka. Every answer carries X-B3-TraceId.',
    })
    .addSecurityScheme('bearerAuth', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'A JWT from the identity provider (or, in legacy mode, HS256). Authorization comes from the roles claim (AUTH_ROLES_CLAIM) holding the required role.',
    })
    .addSchema('ErrorBody', asSchema(errorBodySchema))
    .addSchema('ProbeStatus', {
      type: 'object',
      additionalProperties: false,
      required: ['status'],
      properties: { status: { type: 'string', enum: ['UP', 'DOWN'] } },
    })
    .addHeader('X-B3-TraceId', {
      description: 'The trace id: the valid incoming one, or a new 32-hex id.',
      schema: { type: 'string', pattern: '^([0-9a-f]{16}|[0-9a-f]{32})$' },
    })
    .addHeader('WWW-Authenticate', { description: 'RFC 6750 challenge.', schema: { type: 'string' } })
    .addHeader('Retry-After', {
      description: 'Seconds to wait before retrying.',
      schema: { type: 'integer', minimum: 1 },
    })
    .addHeader('Allow', { description: 'The methods the path takes.', schema: { type: 'string' } });

  for (const api of await Promise.all(FUNCTIONS.map((entry) => entry.loadApi()))) add(builder, api);

  builder.addTag({
    name: 'internal',
    description:
      "Served on each function's own port for Knative and Prometheus; not routed publicly. Under `make dev`, where every function shares one port, each function's are under its name: `/send-mail/livez`, `/health/readyz`, `/docs/metrics`, ….",
  });
  for (const [path, summary] of [
    ['/livez', 'Liveness'],
    ['/readyz', 'Readiness: 503 while draining'],
  ] as const) {
    builder.addPath(path, {
      get: {
        tags: ['internal'],
        summary,
        responses: {
          '200': { description: 'UP.', content: json(schemaRef('ProbeStatus')) },
          ...(path === '/readyz'
            ? { '503': { description: 'Draining.', content: json(schemaRef('ProbeStatus')) } }
            : {}),
        },
      },
    });
  }
  builder.addPath('/metrics', {
    get: {
      tags: ['internal'],
      summary: 'Prometheus metrics (text format)',
      responses: { '200': { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  });
  return builder.getSpec();
}

function add(builder: OpenApiBuilder, api: ApiDescription): void {
  for (const tag of api.tags) builder.addTag(tag);
  for (const [name, schema] of Object.entries(api.schemas ?? {})) builder.addSchema(name, schema);
  for (const [path, item] of Object.entries(api.paths)) {
    if (builder.getSpec().paths?.[path] !== undefined) throw new Error(`two functions describe ${path}`);
    builder.addPath(path, item);
  }
}
