/** Wires docs: the spec, the event schemas and Swagger UI, each with ETag and caching headers. */
import type { DestinationStream } from 'pino';
import type { Config } from '../../shared/config';
import { defineFunction, staticRoute, type FunctionApp } from '../../shared/http';
import { siteFiles } from './site';

export const DOCS_TARGET = 'docs';

export function createDocsApp(config: Config, logDestination?: DestinationStream): FunctionApp {
  return defineFunction({
    name: 'docs',
    target: DOCS_TARGET,
    config,
    ...(logDestination ? { logDestination } : {}),
    build: () => ({
      routes: siteFiles().map((file) =>
        staticRoute(
          // The page is served at the directory URL, like a static host does.
          `/${file.path.replace(/index\.html$/, '')}`,
          file.load,
          file.immutable ? 'public, max-age=86400' : 'no-cache',
        ),
      ),
    }),
  });
}
