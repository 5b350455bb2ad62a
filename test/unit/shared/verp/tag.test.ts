import { createVerp, MAX_LOCAL_PART } from '../../../../shared/verp';

const SECRET = 'verp-secret-for-unit-tests-000000000000';
const MAIL_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const config = { BOUNCE_DOMAIN: 'bounces.example.com', BOUNCE_LOCAL_PART: 'bounces', BOUNCE_VERP_SECRET: SECRET };
const verp = createVerp(config)!;

describe('createVerp', () => {
  it('when BOUNCE_DOMAIN is unset, then there is no VERP: no tag is written, none is read', () => {
    expect(createVerp({ BOUNCE_LOCAL_PART: 'bounces', BOUNCE_VERP_SECRET: SECRET })).toBeUndefined();
  });

  it("when a mail's id is tagged, then the address reads back to that id, at the bounce domain", () => {
    const address = verp.address(MAIL_ID);

    expect(address).toMatch(/^bounces\+[0-9a-f]{48}@bounces\.example\.com$/);
    expect(verp.mailIdOf(address)).toBe(MAIL_ID);
  });

  it('when the longest allowed local part is used, then the tagged local part stays within 64 octets', () => {
    const long = createVerp({ ...config, BOUNCE_LOCAL_PART: 'b'.repeat(MAX_LOCAL_PART) })!;
    const address = long.address(MAIL_ID);

    expect(Buffer.byteLength(address.slice(0, address.lastIndexOf('@')))).toBeLessThanOrEqual(64);
    expect(long.mailIdOf(address)).toBe(MAIL_ID);
  });

  it("when an MTA folds the address's case, then it still reads", () => {
    expect(verp.mailIdOf(verp.address(MAIL_ID).toUpperCase())).toBe(MAIL_ID);
  });

  it.each([
    [
      'one digit of the mac changed',
      (a: string) => a.replace(/([0-9a-f])@/, (_, d: string) => `${d === '0' ? '1' : '0'}@`),
    ],
    ['one digit of the id changed', (a: string) => a.replace('+0', '+1')],
    ['another domain', (a: string) => a.replace('bounces.example.com', 'example.com')],
    ['another local part', (a: string) => a.replace('bounces+', 'mailer+')],
    ['no tag', () => 'bounces@bounces.example.com'],
    ['a tag too short', (a: string) => a.replace(/[0-9a-f]{2}@/, '@')],
    ['not an address', () => 'bounces+'],
  ])('when the address has %s, then it names no mail', (_, forge) => {
    expect(verp.mailIdOf(forge(verp.address(MAIL_ID)))).toBeUndefined();
  });

  it('when the secret was rotated, then tags made with the previous one still read and unrelated ones do not', () => {
    const before = verp.address(MAIL_ID);
    const rotated = createVerp({
      ...config,
      BOUNCE_VERP_SECRET: 'the-new-verp-secret-000000000000000000',
      BOUNCE_VERP_PREVIOUS_SECRET: SECRET,
    })!;
    const stranger = createVerp({ ...config, BOUNCE_VERP_SECRET: 'someone-elses-secret-0000000000000000' })!;

    expect(rotated.mailIdOf(before)).toBe(MAIL_ID);
    expect(rotated.mailIdOf(stranger.address(MAIL_ID))).toBeUndefined();
    expect(rotated.address(MAIL_ID)).not.toBe(before);
  });
});
