/**
 * docs' part of the OpenAPI spec: the documents it serves. Swagger UI's own assets (CSS, scripts, icon) and
 * the redirects to it are no part of the API.
 */
import type { PathItemObject } from 'openapi3-ts/oas31';
import { notModified, staticFile, type ApiDescription } from '../../openapi/parts';
import { FEEDBACK_EVENTS, feedbackSchemaFile } from '../../shared/contracts/email-feedback';
import { EMAIL_SENT_SCHEMA_FILE } from '../../shared/contracts/email-sent';
import { SUPPRESSION_CHANGED_SCHEMA_FILE, UNSUBSCRIBED_SCHEMA_FILE } from '../../shared/contracts/email-suppression';

const documents: readonly [path: string, description: string, contentType: string][] = [
  ['/openapi.json', 'The OpenAPI spec as JSON.', 'application/json'],
  ['/openapi.yaml', 'The OpenAPI spec as YAML.', 'application/yaml'],
  ['/swagger-ui/', 'Swagger UI, served offline.', 'text/html'],
  [`/schemas/${EMAIL_SENT_SCHEMA_FILE}`, 'JSON Schema of the email.sent.v1 event data.', 'application/schema+json'],
  ...FEEDBACK_EVENTS.map((name): [string, string, string] => [
    `/schemas/${feedbackSchemaFile(name)}`,
    `JSON Schema of the ${name}.v1 event data.`,
    'application/schema+json',
  ]),
  [
    `/schemas/${SUPPRESSION_CHANGED_SCHEMA_FILE}`,
    'JSON Schema of the email.suppression.changed.v1 event data.',
    'application/schema+json',
  ],
  [
    `/schemas/${UNSUBSCRIBED_SCHEMA_FILE}`,
    'JSON Schema of the email.unsubscribed.v1 event data.',
    'application/schema+json',
  ],
];

function document(description: string, contentType: string): PathItemObject {
  return {
    get: {
      tags: ['docs'],
      summary: description,
      parameters: [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
      responses: { '200': staticFile(description, contentType), '304': notModified },
    },
  };
}

export const docsApi: ApiDescription = {
  tags: [{ name: 'docs' }],
  paths: Object.fromEntries(
    documents.map(([path, description, contentType]) => [path, document(description, contentType)]),
  ),
};
