import { portProblem } from '../../../../shared/launcher/server';

describe('portProblem', () => {
  it.each([
    { name: 'a port in use', code: 'EADDRINUSE', port: 8080, expected: /^port 8080 is in use; set PORT=.*PORT=8081/ },
    { name: 'a privileged port', code: 'EACCES', port: 80, expected: /^port 80 needs privileges.*PORT=/ },
  ])(
    'when listening fails with $name, then the hint is one line naming the port and PORT=',
    ({ code, port, expected }) => {
      const hint = portProblem(Object.assign(new Error('listen'), { code }), port);

      expect(hint).toMatch(expected);
      expect(hint).not.toContain('\n');
    },
  );

  it.each([
    { name: 'another error code', err: Object.assign(new Error('x'), { code: 'ENOMEM' }) },
    { name: 'no code', err: new Error('x') },
    { name: 'not an error', err: null },
  ])('when start-up fails with $name, then there is no port hint (the full error is logged)', ({ err }) => {
    expect(portProblem(err, 8080)).toBeUndefined();
  });
});
