/**
 * email.sent.v1 stays v1: fields are only ever added as optional. An event of the first shape, and the
 * events in the consumers' pacts, still validate against the published schema (the committed file).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMAIL_SENT_SCHEMA_FILE } from '../../../../shared/contracts/email-sent';

const ROOT = join(__dirname, '..', '..', '..', '..');
const published = JSON.parse(readFileSync(join(ROOT, 'openapi', 'schemas', EMAIL_SENT_SCHEMA_FILE), 'utf8')) as {
  required: string[];
  properties: Record<string, { type?: string }>;
};
const validate = addFormats(new Ajv2020({ strict: true })).compile(published);

/** The data of the first email.sent.v1 release, as its consumers were built against it. */
const FIRST_SHAPE = {
  required: ['messageId', 'toAddress', 'subject', 'sentAt'],
  types: { messageId: 'string', toAddress: 'string', subject: 'string', sentAt: 'string' },
  example: {
    messageId: '<4994b9b3-17f8-752a-dc8f-13cba18520c7@example.com>',
    toAddress: 'demo@mailinator.com',
    subject: 'some subject',
    sentAt: '2026-11-23T10:00:00.000Z',
  },
};

describe('the email.sent.v1 data schema', () => {
  it('when an event of the first shape is validated, then it is valid', () => {
    expect(validate(FIRST_SHAPE.example)).toBe(true);
  });

  it('when compared with the first release, then it requires nothing new and keeps every field and its type', () => {
    expect(published.required).toEqual(FIRST_SHAPE.required);
    for (const [name, type] of Object.entries(FIRST_SHAPE.types)) expect(published.properties[name]?.type).toBe(type);
  });

  it("when the consumers' pacts' example events are validated, then each is valid", () => {
    const pact = JSON.parse(
      readFileSync(join(ROOT, 'test', 'contract', 'pacts', 'MailEventsConsumer-MailServiceEvents.json'), 'utf8'),
    ) as { messages: { contents: unknown }[] };
    expect(pact.messages.length).toBeGreaterThan(0);
    for (const message of pact.messages) expect(validate(message.contents)).toBe(true);
  });

  it('when an event carries every optional field, then it is valid; and a Bcc address list is not a field', () => {
    const full = {
      ...FIRST_SHAPE.example,
      cc: ['cc@example.com'],
      bccCount: 2,
      rejected: ['gone@example.com'],
      tags: ['welcome'],
      metadata: { campaignId: 'c-42' },
    };
    expect(validate(full)).toBe(true);
    expect(validate({ ...full, bcc: ['hidden@example.com'] })).toBe(false);
  });
});
