/**
 * Builds the OpenAPI 3.1 spec from the code's own definitions: the request, response and error schemas
 * are the objects the runtime validates and answers with. `make openapi` writes openapi.json/.yaml.
 */
import { OpenApiBuilder, type OpenAPIObject, type ResponseObject, type SchemaObject } from 'openapi3-ts/oas31';
import { EMAIL_SENT_SCHEMA_FILE } from '../shared/contracts/email-sent';
import { sendMailRequestSchema, sendMailResponseSchema } from '../functions/send-mail/request-schema';
import { SEND_MAIL_PATH } from '../functions/send-mail/handler';
import { healthReportSchema } from '../functions/health/report';
import { errorBodySchema } from '../shared/errors';
import { version } from '../package.json';

/** Our schemas are `as const` JSON Schema objects; openapi3-ts wants mutable ones. */
const asSchema = (schema: object): SchemaObject => schema as unknown as SchemaObject;
const json = (schema: SchemaObject | { $ref: string }): ResponseObject['content'] => ({ 'application/json': { schema } });
const errorRef = { $ref: '#/components/schemas/ErrorBody' };
const traceHeader = { 'X-B3-TraceId': { $ref: '#/components/headers/X-B3-TraceId' } };

function error(description: string, extraHeaders: Record<string, { $ref: string }> = {}): ResponseObject {
  return { description, headers: { ...traceHeader, ...extraHeaders }, content: json(errorRef) };
}

const challenge = { 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } };
const retryAfter = { 'Retry-After': { $ref: '#/components/headers/Retry-After' } };

function staticFile(description: string, contentType: string): ResponseObject {
  return { description, headers: { ...traceHeader, ETag: { schema: { type: 'string' } }, 'Cache-Control': { schema: { type: 'string' } } }, content: { [contentType]: { schema: contentType === 'application/json' ? { type: 'object' } : { type: 'string' } } } };
}

const notModified: ResponseObject = { description: 'Not modified (If-None-Match matched the ETag).', headers: { ...traceHeader, ETag: { schema: { type: 'string' } } } };

export function buildSpec(): OpenAPIObject {
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion('3.1.0')
    .addInfo({
      title: 'Mailer functions',
      version,
      description: 'Send mail over SMTP, with an optional email.sent CloudEvent to Kafka. Every answer carries X-B3-TraceId.',
    })
    .addSecurityScheme('bearerAuth', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A JWT from the identity provider (or, in legacy mode, HS256). Authorization comes from the roles claim (AUTH_ROLES_CLAIM) holding the required role.',
    })
    .addSchema('SendMailRequest', asSchema(sendMailRequestSchema))
    .addSchema('SendMailResponse', asSchema(sendMailResponseSchema))
    .addSchema('ErrorBody', asSchema(errorBodySchema))
    .addSchema('HealthReport', asSchema(healthReportSchema))
    .addSchema('ProbeStatus', { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string', enum: ['UP', 'DOWN'] } } })
    .addHeader('X-B3-TraceId', { description: 'The trace id: the valid incoming one, or a new 32-hex id.', schema: { type: 'string', pattern: '^([0-9a-f]{16}|[0-9a-f]{32})$' } })
    .addHeader('WWW-Authenticate', { description: 'RFC 6750 challenge.', schema: { type: 'string' } })
    .addHeader('Retry-After', { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } })
    .addTag({ name: 'mail' })
    .addTag({ name: 'operations' })
    .addTag({ name: 'docs' })
    .addTag({ name: 'internal', description: 'Served on each function port for Knative and Prometheus; not routed publicly.' });

  builder.addPath(SEND_MAIL_PATH, {
    post: {
      tags: ['mail'],
      operationId: 'sendMail',
      summary: 'Send one mail',
      description: 'Requires the role SEND_MAIL_REQUIRED_ROLE (default admin) in the roles claim.',
      security: [{ bearerAuth: ['admin'] }],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SendMailRequest' } } } },
      responses: {
        '200': { description: 'The SMTP server accepted the mail.', headers: traceHeader, content: json({ $ref: '#/components/schemas/SendMailResponse' }) },
        '400': error(
          'email.parse.error (details: body json.syntax with the position where the JSON breaks, or body json.not_object), email.validation.error (details name each field) or email.recipient.rejected.',
        ),
        '401': error(
          'auth.token.missing (no Bearer credentials; details say scheme.missing for a token without `Bearer `, scheme.unsupported for another scheme) or auth.token.invalid (details say token.expired, token.not_yet_valid, token.signature, token.claims or token.malformed; the challenge carries the same as error_description).',
          challenge,
        ),
        '403': error('auth.role.missing.', challenge),
        '404': error('http.route.notfound.'),
        '405': error('http.method.notallowed.', { Allow: { $ref: '#/components/headers/Allow' } }),
        '413': error('http.body.toolarge: the body is over MAX_BODY_BYTES.'),
        '415': error('http.mediatype.unsupported: not UTF-8 application/json, or a compressed body.'),
        '500': error('server.internal.error.'),
        '502': error(
          'email.send.error: SMTP failed, timed out or could not be reached, and no mail was sent. email.send.unknown: the whole message was written and no reply came; the mail may have been delivered (the one answer that may hide a delivery).',
        ),
        '503': error('email.send.unavailable or auth.keys.unavailable (with Retry-After), http.request.timeout, or http.server.draining (Connection: close); no mail was sent.', retryAfter),
      },
    },
  });
  builder.addHeader('Allow', { description: 'The methods the path takes.', schema: { type: 'string' } });

  builder.addPath('/health', {
    get: {
      tags: ['operations'],
      operationId: 'health',
      summary: 'Aggregate health of the dependencies',
      description: 'Statuses for everyone; details (latency, error code) only with a token holding HEALTH_DETAILS_ROLE.',
      security: [{}, { bearerAuth: ['ops'] }],
      responses: {
        '200': { description: 'UP.', headers: traceHeader, content: json({ $ref: '#/components/schemas/HealthReport' }) },
        '503': { description: 'DOWN.', headers: traceHeader, content: json({ $ref: '#/components/schemas/HealthReport' }) },
      },
    },
  });

  const docs: [string, string, string][] = [
    ['/openapi.json', 'The OpenAPI spec as JSON.', 'application/json'],
    ['/openapi.yaml', 'The OpenAPI spec as YAML.', 'application/yaml'],
    ['/swagger-ui/', 'Swagger UI, served offline.', 'text/html'],
    [`/schemas/${EMAIL_SENT_SCHEMA_FILE}`, 'JSON Schema of the email.sent.v1 event data.', 'application/schema+json'],
  ];
  // Swagger UI's own assets (CSS, scripts, icon) and the redirects to it are no part of the API.
  for (const [path, description, contentType] of docs) {
    builder.addPath(path, {
      get: {
        tags: ['docs'],
        summary: description,
        parameters: [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
        responses: { '200': staticFile(description, contentType), '304': notModified },
      },
    });
  }

  for (const [path, summary] of [['/livez', 'Liveness'], ['/readyz', 'Readiness: 503 while draining']] as const) {
    builder.addPath(path, {
      get: {
        tags: ['internal'],
        summary,
        responses: {
          '200': { description: 'UP.', content: json({ $ref: '#/components/schemas/ProbeStatus' }) },
          ...(path === '/readyz' ? { '503': { description: 'Draining.', content: json({ $ref: '#/components/schemas/ProbeStatus' }) } } : {}),
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
