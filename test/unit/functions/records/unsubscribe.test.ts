import { checkOneClick, confirmationPage, targetOf } from '../../../../functions/records/unsubscribe';
import { createUnsubscribeTokens } from '../../../../shared/unsubscribe';

const FORM = 'application/x-www-form-urlencoded';

async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('checkOneClick', () => {
  it('when the body is the form Gmail sends, then it passes', async () => {
    await expect(checkOneClick(FORM, Buffer.from('List-Unsubscribe=One-Click'))).resolves.toBeUndefined();
  });

  it('when the body is multipart/form-data with the field, then it passes', async () => {
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const request = new Request('http://x/', { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());

    await expect(checkOneClick(request.headers.get('content-type') ?? '', body)).resolves.toBeUndefined();
  });

  it.each([
    { name: 'no body', type: FORM, body: '', code: 'form.required' },
    { name: 'another value', type: FORM, body: 'List-Unsubscribe=Yes', code: 'form.value' },
    { name: 'JSON', type: 'application/json', body: '{"List-Unsubscribe":"One-Click"}', code: 'form.required' },
    { name: 'no content type', type: undefined, body: 'List-Unsubscribe=One-Click', code: 'form.required' },
    {
      name: 'a broken multipart body',
      type: 'multipart/form-data; boundary=x',
      body: '--y\r\n',
      code: 'form.required',
    },
  ])('when the POST has $name, then unsubscribe.body.invalid ($code)', async ({ type, body, code }) => {
    const err = await rejection(checkOneClick(type, Buffer.from(body)));

    expect(err).toMatchObject({
      code: 'unsubscribe.body.invalid',
      status: 400,
      details: [{ field: 'List-Unsubscribe', code }],
    });
  });
});

describe('targetOf', () => {
  it('when there are no tokens (no secret), then every token is unsubscribe.notfound', async () => {
    await expect(rejection(targetOf(undefined, 'a..b.c.d'))).resolves.toMatchObject({
      code: 'unsubscribe.notfound',
      status: 404,
    });
  });

  it('when the token is not ours, then unsubscribe.notfound', async () => {
    const tokens = createUnsubscribeTokens({ UNSUBSCRIBE_SECRET: 'x'.repeat(40) });

    await expect(rejection(targetOf(tokens, 'a..b.c.d'))).resolves.toMatchObject({ code: 'unsubscribe.notfound' });
  });
});

describe('confirmationPage', () => {
  it('when it is shown, then it masks the address, escapes it, and its one form posts the one-click body', () => {
    const page = confirmationPage({
      caller: 'c',
      stream: 'broadcast',
      recipient: '<b>@example.org',
      messageId: '<m@x>',
    });

    expect(page).not.toContain('<b>');
    expect(page).toContain('&#60;***@example.org');
    expect(page).toContain('<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(page).not.toMatch(/<script/i);
  });
});
