import pino from 'pino';
import { AppError, toErrorResponse } from '../../../../shared/errors';
import { createLogSink } from '../../../support/log-sink';

function setup(): { logs: ReturnType<typeof createLogSink>; logger: pino.Logger } {
  const logs = createLogSink();
  return { logs, logger: pino({ level: 'info' }, logs.stream) };
}

describe('toErrorResponse', () => {
  it('when the error is an AppError, then its status, headers, code and details make the answer', () => {
    const { logger } = setup();
    const error = new AppError('email.validation.error', 400, {
      details: [{ field: 'subject', code: 'field.too_long' }],
      headers: { 'Retry-After': '1' },
    });

    const response = toErrorResponse(error, 'a3ce929d0e0e4736', logger);

    expect(response).toEqual({
      status: 400,
      headers: { 'Retry-After': '1' },
      body: {
        timestamp: expect.any(String),
        requestid: 'a3ce929d0e0e4736',
        message: 'email.validation.error',
        details: [{ field: 'subject', code: 'field.too_long' }],
      },
    });
    expect(new Date(response.body.timestamp).toISOString()).toBe(response.body.timestamp);
  });

  it('when the error is unexpected, then the answer is a bare 500 and only the log has the stack', () => {
    const { logs, logger } = setup();

    const response = toErrorResponse(new TypeError('secret internal detail'), 'a3ce929d0e0e4736', logger);

    expect(response.status).toBe(500);
    expect(response.body.message).toBe('server.internal.error');
    expect(JSON.stringify(response)).not.toContain('secret internal detail');
    expect(logs.lines()[0]).toMatchObject({ err: { type: 'TypeError', stack: expect.stringContaining('TypeError') } });
  });

  it('when a thrown value is not even an Error, then it is still a 500', () => {
    const { logger } = setup();
    expect(toErrorResponse('a string', 'a3ce929d0e0e4736', logger).status).toBe(500);
  });
});
