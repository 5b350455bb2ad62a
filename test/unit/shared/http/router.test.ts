import { findRoute, templateOf } from '../../../../shared/http/router';
import type { AppError } from '../../../../shared/errors';
import type { Route } from '../../../../shared/http';
import { thrownAppError } from '../../../support/thrown';

const ok = (): { status: number } => ({ status: 200 });
const routes: Route[] = [
  { method: 'POST', path: '/send', handle: ok },
  { method: 'GET', path: '/docs', handle: ok },
  { method: 'GET', path: '/emails/{messageId}', handle: ok },
  { method: 'DELETE', path: '/emails/{messageId}', handle: ok },
];

const errorOf = (method: string, path: string): AppError => thrownAppError(() => findRoute(routes, method, path));

describe('findRoute', () => {
  it('when path and method match, then that route is found', () => {
    expect(findRoute(routes, 'POST', '/send')).toEqual({ route: routes[0], params: {} });
  });

  it('when HEAD asks for a GET route, then the GET route answers', () => {
    expect(findRoute(routes, 'HEAD', '/docs').route).toBe(routes[1]);
  });

  it('when the path is unknown, then it is http.route.notfound (404)', () => {
    expect(errorOf('POST', '/nope')).toMatchObject({ code: 'http.route.notfound', status: 404 });
  });

  it('when the method is not served on the path, then it is 405 with Allow', () => {
    expect(errorOf('GET', '/send')).toMatchObject({
      code: 'http.method.notallowed',
      status: 405,
      headers: { Allow: 'POST' },
    });
    expect(errorOf('POST', '/docs')).toMatchObject({ headers: { Allow: 'GET, HEAD' } });
  });

  it('when a path fits a template, then its route is found with the segment percent-decoded', () => {
    expect(findRoute(routes, 'GET', '/emails/%3Cid%40example.org%3E')).toEqual({
      route: routes[2],
      params: { messageId: '<id@example.org>' },
    });
    expect(findRoute(routes, 'DELETE', '/emails/x').route).toBe(routes[3]);
  });

  it.each([
    { name: 'an empty segment', path: '/emails/' },
    { name: 'one segment more', path: '/emails/a/b' },
    { name: 'a segment that does not percent-decode', path: '/emails/%E0%A4%A' },
  ])('when the path has $name, then it is http.route.notfound', ({ path }) => {
    expect(errorOf('GET', path)).toMatchObject({ code: 'http.route.notfound' });
  });

  it('when a template path is asked with another method, then 405 names the methods it serves', () => {
    expect(errorOf('POST', '/emails/x')).toMatchObject({ headers: { Allow: 'DELETE, GET, HEAD' } });
  });

  it('when requests are labelled, then a path with an id is labelled by its template, an unknown one by nothing', () => {
    expect(templateOf(routes, '/emails/abc')).toBe('/emails/{messageId}');
    expect(templateOf(routes, '/send')).toBe('/send');
    expect(templateOf(routes, '/other')).toBeUndefined();
  });
});
