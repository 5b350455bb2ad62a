/** Exact-path routing with 404 for unknown paths and 405 (with Allow) for known paths and other methods. */
import { httpError } from '../errors';
import type { Route } from './types';

export function findRoute(routes: readonly Route[], method: string, path: string): Route {
  const onPath = routes.filter((route) => route.path === path);
  if (onPath.length === 0) throw httpError('http.route.notfound');
  const wanted = method === 'HEAD' ? 'GET' : method;
  const route = onPath.find((candidate) => candidate.method === wanted);
  if (route) return route;
  const allowed = new Set<string>(onPath.map((candidate) => candidate.method));
  if (allowed.has('GET')) allowed.add('HEAD');
  throw httpError('http.method.notallowed', { headers: { Allow: [...allowed].sort().join(', ') } });
}
