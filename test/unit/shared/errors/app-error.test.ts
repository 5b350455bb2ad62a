import { AppError, httpError, type ErrorCode } from '../../../../shared/errors';

describe('error codes', () => {
  it("when a code is one of its owners' codes (shared http, auth, send-mail), then the error carries it", () => {
    const codes: ErrorCode[] = ['http.route.notfound', 'auth.token.missing', 'email.send.error'];

    expect(codes.map((code) => new AppError(code, 400).code)).toEqual(codes);
    expect(httpError('http.body.toolarge').status).toBe(413);
  });

  // The check is `make typecheck`: an @ts-expect-error that expects nothing fails it (TS2578), so these lines
  // fail the build the day a code is plain `string` again.
  it('when a code is misspelt, then it does not compile', () => {
    // @ts-expect-error 'http.route.not-found' is no error code
    const misspelt = new AppError('http.route.not-found', 404);
    // @ts-expect-error send-mail's codes are checked too: 'email.sned.error' is none of them
    const misspeltByAFunction = new AppError('email.sned.error', 502);
    // @ts-expect-error comparing with a misspelt code has no overlap with ErrorCode
    const compared = misspelt.code === 'auth.token.mising';

    expect([misspelt.status, misspeltByAFunction.status, compared]).toEqual([404, 502, false]);
  });
});
