/**
 * Every response an acceptance test receives is checked against the committed OpenAPI spec: status,
 * content type and body (ajv). A path the spec does not know must be a 404 with the error body, and a
 * method it does not list on a known path a 405. The docs function also serves what is no part of the API
 * (Swagger UI's assets, redirects to its page): those are checked against the docs function's own lists.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { DOCS_PAGE, DOCS_REDIRECTS, SWAGGER_ASSETS } from '../../functions/docs/site';
import spec from '../../openapi/openapi.json';
import { matchTemplate } from '../../shared/http/router';

interface Operation {
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
ajv.addSchema(spec, 'spec');
const paths = spec.paths as unknown as Record<string, Record<string, Operation>>;

const pointer = (...parts: string[]): string =>
  `spec#/${parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

export interface CheckedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export function expectResponseInSpec(method: string, url: string, response: CheckedResponse): void {
  const actual = new URL(url).pathname;
  const lower = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  // The spec's path for it: the same path, or a template (`/emails/{messageId}`) it fits.
  const path = paths[actual] ? actual : (Object.keys(paths).find((known) => matchTemplate(known, actual)) ?? actual);
  const item = paths[path];
  if (!item && lower === 'get' && isDocsSiteAnswer(path, response)) return;
  if (!item) {
    expectError(response, 404, 'undocumented path');
    return;
  }
  const operation = item[lower];
  if (!operation) {
    expectError(response, 405, `undocumented method ${method} on ${path}`);
    return;
  }
  const documented = operation.responses[String(response.status)];
  if (!documented) throw new Error(`${method} ${path} answered ${response.status}, which the spec does not document`);
  // Every answer of the pipeline carries its trace id; probes and /metrics are answered before it, without one.
  if (documented.headers?.['X-B3-TraceId'] === undefined) expect(response.headers.get('x-b3-traceid')).toBeNull();
  else expect(response.headers.get('x-b3-traceid')).toMatch(/^([0-9a-f]{16}|[0-9a-f]{32})$/);
  for (const header of Object.keys(documented.headers ?? {})) {
    if (header === 'WWW-Authenticate') expect(response.headers.get(header)).not.toBeNull();
  }
  if (!documented.content || method.toUpperCase() === 'HEAD') return;
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const mediaTypes = Object.keys(documented.content);
  if (!mediaTypes.includes(contentType))
    throw new Error(
      `${method} ${path} ${response.status} answered ${contentType}, the spec says ${mediaTypes.join(', ')}`,
    );
  if (contentType === 'application/json') {
    const validate = ajv.getSchema(
      pointer('paths', path, lower, 'responses', String(response.status), 'content', contentType, 'schema'),
    );
    if (!validate) throw new Error(`no schema for ${method} ${path} ${response.status}`);
    if (!validate(response.body))
      throw new Error(
        `${method} ${path} ${response.status} body does not match the spec: ${ajv.errorsText(validate.errors)}`,
      );
  }
}

function expectError(response: CheckedResponse, status: number, what: string): void {
  if (response.status !== status)
    throw new Error(`${what} answered ${response.status}; only ${status} is allowed there`);
  const validate = ajv.getSchema('spec#/components/schemas/ErrorBody');
  if (!validate?.(response.body)) throw new Error(`${what}: the ${status} body is not the error body`);
}

/** Swagger UI's assets (200 or 304) and the redirects to its page: served by docs, kept out of the spec. */
function isDocsSiteAnswer(path: string, response: CheckedResponse): boolean {
  if (SWAGGER_ASSETS.some(([file]) => path === `/swagger-ui/${file}`))
    return response.status === 200 || response.status === 304;
  // Elsewhere (send-mail, health) these paths are unknown, and the 404 check applies.
  return DOCS_REDIRECTS.includes(path) && response.status === 302 && response.headers.get('location') === DOCS_PAGE;
}
