/**
 * The pieces each function's API description (functions/<name>/api.ts) is made of, and its shape. The
 * components they refer to (ErrorBody, the headers) are declared once, in scripts/build-openapi.ts.
 */
import type { PathItemObject, ResponseObject, SchemaObject, TagObject } from 'openapi3-ts/oas31';

/** One function's part of the spec; scripts/build-openapi.ts adds them up in the order of functions/catalog.ts. */
export interface ApiDescription {
  readonly tags: readonly TagObject[];
  readonly schemas?: Readonly<Record<string, SchemaObject>>;
  readonly paths: Readonly<Record<string, PathItemObject>>;
}

/** Our schemas are `as const` JSON Schema objects; openapi3-ts wants mutable ones. */
export const asSchema = (schema: object): SchemaObject => schema as unknown as SchemaObject;
export const json = (schema: SchemaObject | { $ref: string }): ResponseObject['content'] => ({
  'application/json': { schema },
});
export const schemaRef = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: string): { $ref: string } => ({ $ref: `#/components/headers/${name}` });

export const traceHeader = { 'X-B3-TraceId': headerRef('X-B3-TraceId') };
export const challenge = { 'WWW-Authenticate': headerRef('WWW-Authenticate') };
export const retryAfter = { 'Retry-After': headerRef('Retry-After') };
export const allow = { Allow: headerRef('Allow') };

/** An answer with the error body. */
export function error(description: string, extraHeaders: Record<string, { $ref: string }> = {}): ResponseObject {
  return { description, headers: { ...traceHeader, ...extraHeaders }, content: json(schemaRef('ErrorBody')) };
}

export function staticFile(description: string, contentType: string): ResponseObject {
  return {
    description,
    headers: { ...traceHeader, ETag: { schema: { type: 'string' } }, 'Cache-Control': { schema: { type: 'string' } } },
    content: {
      [contentType]: { schema: contentType === 'application/json' ? { type: 'object' } : { type: 'string' } },
    },
  };
}

export const notModified: ResponseObject = {
  description: 'Not modified (If-None-Match matched the ETag).',
  headers: { ...traceHeader, ETag: { schema: { type: 'string' } } },
};
