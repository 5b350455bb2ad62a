import { findRoute } from '../../../../shared/http/router';
import type { AppError } from '../../../../shared/errors';
import type { Route } from '../../../../shared/http';
import { thrownAppError } from '../../../support/thrown';

const ok = (): { status: number } => ({ status: 200 });
const routes: Route[] = [
  { method: 'POST', path: '/send', handle: ok },
  { method: 'GET', path: '/docs', handle: ok },
];

const errorOf = (method: string, path: string): AppError => thrownAppError(() => findRoute(routes, method, path));

describe('findRoute', () => {
  it('when path and method match, then that route is found', () => {
    expect(findRoute(routes, 'POST', '/send')).toBe(routes[0]);
  });

  it('when HEAD asks for a GET route, then the GET route answers', () => {
    expect(findRoute(routes, 'HEAD', '/docs')).toBe(routes[1]);
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
});
