import { readEvent, suppressionReasonOf } from '../../../../functions/recorder/events';
import { thrownAppError } from '../../../support/thrown';

const PREFIX = 'com.example.mailer';
const bounce = (data: Record<string, unknown> = {}) => ({
  id: 'b1',
  source: '/mailer/feedback',
  type: `${PREFIX}.email.bounced.v1`,
  data: {
    messageId: '<m@x>',
    emailSentId: 'e1',
    recipient: 'Gone@EXAMPLE.org',
    classification: 'hard',
    reason: 'user_unknown',
    reportKind: 'dsn',
    reportedAt: '2026-12-07T10:05:00.000Z',
    ...data,
  },
});

describe('readEvent', () => {
  it('when a bounce names its recipient in another case, then the recipient is in its one form (the domain in lower case, the local part as sent)', () => {
    const event = readEvent(bounce(), PREFIX);

    expect(event).toMatchObject({ name: 'email.bounced', recipient: 'Gone@example.org', address: 'Gone@example.org' });
  });

  it('when the type is under another prefix, then recorder.event.unsupported', () => {
    expect(thrownAppError(() => readEvent({ ...bounce(), type: 'org.other.email.bounced.v1' }, PREFIX))).toMatchObject({
      code: 'recorder.event.unsupported',
      status: 400,
    });
  });

  it.each([
    { name: 'a missing field', data: { messageId: undefined }, field: 'data.messageId' },
    { name: 'a classification of another type', data: { classification: 'complaint' }, field: 'data.classification' },
    { name: 'a time that is no date-time', data: { reportedAt: '7 Dec 2026' }, field: 'data.reportedAt' },
  ])('when the data has $name, then recorder.event.invalid naming $field', ({ data, field }) => {
    const err = thrownAppError(() => readEvent(bounce(data), PREFIX));

    expect(err).toMatchObject({ code: 'recorder.event.invalid', status: 400 });
    expect(err.details.map((detail) => detail.field)).toContain(field);
  });
});

describe('suppressionReasonOf', () => {
  it.each([
    { classification: 'hard', type: 'email.bounced', reason: 'hard_bounce' },
    { classification: 'soft', type: 'email.bounced', reason: undefined },
    { classification: 'delayed', type: 'email.delayed', reason: undefined },
    { classification: 'complaint', type: 'email.complained', reason: 'complaint' },
  ])('when a $type event is $classification, then it suppresses: $reason', ({ classification, type, reason }) => {
    const event = readEvent({ ...bounce({ classification }), type: `${PREFIX}.${type}.v1` }, PREFIX);

    expect(suppressionReasonOf(event)).toBe(reason);
  });

  it('when the recipient is no mail address, then it is recorded but suppresses nobody', () => {
    const event = readEvent(bounce({ recipient: 'not an address' }), PREFIX);

    expect(event).toMatchObject({ recipient: 'not an address' });
    expect(suppressionReasonOf(event)).toBeUndefined();
  });
});
