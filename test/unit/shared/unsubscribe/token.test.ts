import { createOneClickLinks, createUnsubscribeTokens, type UnsubscribeTarget } from '../../../../shared/unsubscribe';

const SECRET = 'unit-test-unsubscribe-secret-0123456789abcdef';
const OLD_SECRET = 'the-secret-before-the-rotation-0123456789abc';
const TARGET: UnsubscribeTarget = {
  caller: '["https://idp.example.com","sub","campaign-service"]',
  stream: 'broadcast',
  recipient: 'reader@example.org',
  messageId: '<0f8fad5b-d9cb-469f-a165-70867728950e@bounces.example.com>',
};

/** Flips one character of the token's part `index` (0 header … 4 tag). */
function altered(token: string, index: number): string {
  const parts = token.split('.');
  const part = parts[index] ?? '';
  const at = Math.floor(part.length / 2);
  parts[index] = `${part.slice(0, at)}${part[at] === 'A' ? 'B' : 'A'}${part.slice(at + 1)}`;
  return parts.join('.');
}

describe('createUnsubscribeTokens', () => {
  const tokens = createUnsubscribeTokens({ UNSUBSCRIBE_SECRET: SECRET });
  if (!tokens) throw new Error('tokens expected with a secret');

  it('when a sealed token is opened, then it gives back the same target', async () => {
    const token = await tokens.seal(TARGET);

    await expect(tokens.open(token)).resolves.toEqual(TARGET);
  });

  it('when a token is sealed, then it names nothing in clear text and is URL-safe', async () => {
    const token = await tokens.seal(TARGET);

    expect(token).toMatch(/^[\w.-]+$/);
    expect(token).not.toContain('reader');
    expect(Buffer.from(token.replace(/\./g, ''), 'base64url').toString('latin1')).not.toContain('reader@example.org');
  });

  it('when the same target is sealed twice, then the tokens differ (a fresh IV each)', async () => {
    expect(await tokens.seal(TARGET)).not.toBe(await tokens.seal(TARGET));
  });

  it.each([
    { part: 'header', index: 0 },
    { part: 'IV', index: 2 },
    { part: 'ciphertext', index: 3 },
    { part: 'HMAC tag', index: 4 },
  ])('when its $part is altered, then it does not open', async ({ index }) => {
    const token = await tokens.seal(TARGET);

    await expect(tokens.open(altered(token, index))).resolves.toBeUndefined();
  });

  it('when a token was sealed with another secret, then it does not open', async () => {
    const other = createUnsubscribeTokens({ UNSUBSCRIBE_SECRET: OLD_SECRET });

    await expect(tokens.open(await other!.seal(TARGET))).resolves.toBeUndefined();
  });

  it('when the secret was rotated, then tokens of the previous one still open, and new ones use the current one', async () => {
    const before = createUnsubscribeTokens({ UNSUBSCRIBE_SECRET: OLD_SECRET })!;
    const after = createUnsubscribeTokens({ UNSUBSCRIBE_SECRET: SECRET, UNSUBSCRIBE_PREVIOUS_SECRET: OLD_SECRET })!;
    const fresh = await after.seal(TARGET);

    await expect(after.open(await before.seal(TARGET))).resolves.toEqual(TARGET);
    await expect(tokens.open(fresh)).resolves.toEqual(TARGET);
  });

  it.each([
    { name: 'empty', token: '' },
    { name: 'a JWT', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' },
    { name: 'far too long', token: `${'a'.repeat(3000)}..a.a.a` },
    { name: 'not base64url', token: 'a..b.c!.d' },
  ])('when the token is $name, then it does not open', async ({ token }) => {
    await expect(tokens.open(token)).resolves.toBeUndefined();
  });

  it('when there is no secret, then there are no tokens', () => {
    expect(createUnsubscribeTokens({})).toBeUndefined();
  });
});

describe('createOneClickLinks', () => {
  it('when the base URL and the secret are set, then the link is <base>/unsubscribe/<token> that opens to the target', async () => {
    const link = createOneClickLinks({ UNSUBSCRIBE_BASE_URL: 'https://mail.example.com/', UNSUBSCRIBE_SECRET: SECRET });
    const url = await link!(TARGET);

    expect(url).toMatch(/^https:\/\/mail\.example\.com\/unsubscribe\/[\w.-]+$/);
    const token = url.slice('https://mail.example.com/unsubscribe/'.length);
    await expect(createUnsubscribeTokens({ UNSUBSCRIBE_SECRET: SECRET })!.open(token)).resolves.toEqual(TARGET);
  });

  it('when the base URL is unset, then no links are made', () => {
    expect(createOneClickLinks({ UNSUBSCRIBE_SECRET: SECRET })).toBeUndefined();
  });
});
