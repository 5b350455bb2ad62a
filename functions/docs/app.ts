/** Wires docs: the spec, the event schemas and Swagger UI, each with ETag and caching headers. */
import type { DestinationStream } from 'pino';
import { defineFunction, staticRoute, type FunctionApp, type Route } from '../../shared/http';
import { identity } from './identity';
import type { DocsConfig } from './settings';
import { DOCS_PAGE, DOCS_REDIRECTS, siteFiles } from './site';

export function createDocsApp(config: DocsConfig, logDestination?: DestinationStream): FunctionApp {
  return defineFunction({
    name: identity.name,
    target: identity.target,
    config,
    logDestination,
    build: () => ({
      routes: [
        ...siteFiles().map((file) =>
          staticRoute(
            // The page is served at the directory URL, like a static host does.
            `/${file.path.replace(/index\.html$/, '')}`,
            file.load,
            file.immutable ? 'public, max-age=86400' : 'no-cache',
          ),
        ),
        ...DOCS_REDIRECTS.map(redirectToDocs),
      ],
    }),
  });
}

/** 302, not 308: browsers keep a permanent redirect for good, and `/` may serve something else one day. */
function redirectToDocs(path: string): Route {
  return { method: 'GET', path, handle: () => ({ status: 302, headers: { Location: DOCS_PAGE } }) };
}
