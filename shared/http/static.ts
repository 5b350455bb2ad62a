/** Routes for fixed content: loaded once on first use, with a strong ETag, Cache-Control and 304 on If-None-Match. */
import { createHash } from 'node:crypto';
import type { HttpResult, Route } from './types';

export interface StaticContent {
  readonly data: Buffer;
  readonly contentType: string;
}

export function staticRoute(path: string, load: () => StaticContent, cacheControl: string): Route {
  let cached: (StaticContent & { etag: string }) | undefined;
  return {
    method: 'GET',
    path,
    handle: (request): HttpResult => {
      if (!cached) {
        const content = load();
        cached = {
          ...content,
          etag: `"${createHash('sha256').update(content.data).digest('base64url').slice(0, 27)}"`,
        };
      }
      const headers = { ETag: cached.etag, 'Cache-Control': cacheControl };
      if (matches(request.headers['if-none-match'], cached.etag)) return { status: 304, headers };
      return { status: 200, headers, raw: { data: cached.data, contentType: cached.contentType } };
    },
  };
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
