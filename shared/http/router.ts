/**
 * Routing: a route's path is exact (`/health`) or a template whose `{name}` segments each match one
 * non-empty segment (`/api/rest/v1/emails/{messageId}`), handed to the route decoded. 404 for unknown paths,
 * 405 (with Allow) for known paths and other methods.
 */
import { httpError } from '../errors';
import type { Route } from './types';

export interface RouteMatch {
  readonly route: Route;
  /** The template's segments, percent-decoded; empty for an exact path. */
  readonly params: Readonly<Record<string, string>>;
}

const isTemplate = (path: string): boolean => path.includes('{');

/** The params when `path` fits `template`; undefined otherwise (a segment that does not decode does not fit). */
export function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  if (!isTemplate(template)) return template === path ? {} : undefined;
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const expected = want[i] as string;
    const actual = got[i] as string;
    const name = /^\{([A-Za-z]+)\}$/.exec(expected)?.[1];
    if (name === undefined) {
      if (expected !== actual) return undefined;
      continue;
    }
    if (actual === '') return undefined;
    try {
      params[name] = decodeURIComponent(actual);
    } catch {
      return undefined;
    }
  }
  return params;
}

/** The path's route template: the label its requests are counted under, or undefined for an unknown path. */
export function templateOf(routes: readonly Route[], path: string): string | undefined {
  return routes.find((route) => matchTemplate(route.path, path) !== undefined)?.path;
}

export function findRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const onPath = routes.flatMap((route) => {
    const params = matchTemplate(route.path, path);
    return params === undefined ? [] : [{ route, params }];
  });
  if (onPath.length === 0) throw httpError('http.route.notfound');
  const wanted = method === 'HEAD' ? 'GET' : method;
  const match = onPath.find((candidate) => candidate.route.method === wanted);
  if (match) return match;
  const allowed = new Set<string>(onPath.map((candidate) => candidate.route.method));
  if (allowed.has('GET')) allowed.add('HEAD');
  throw httpError('http.method.notallowed', { headers: { Allow: [...allowed].sort().join(', ') } });
}
