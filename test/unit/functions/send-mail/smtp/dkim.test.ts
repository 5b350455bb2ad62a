/** DKIM settings are judged at start: all three or none, and a key nodemailer can sign rsa-sha256 with. */
import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import { createDkimSigner } from '../../../../../functions/send-mail/smtp/dkim';
import { sendMailSettings } from '../../../../../functions/send-mail/settings';
import { ConfigError, loadConfig } from '../../../../../shared/config';

const pem = (type: 'rsa' | 'ed25519' | 'ec', bits = 2048): string => {
  const { privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: bits })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
};
const RSA = pem('rsa');
const DKIM = { DKIM_DOMAIN: 'example.com', DKIM_SELECTOR: 's1' };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(sendMailSettings, { ENVIRONMENT: 'local', ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('the DKIM settings rule', () => {
  it.each([
    { name: 'the key is not PEM at all', key: 'not-a-key-at-all', problem: /^DKIM_PRIVATE_KEY: cannot be parsed/ },
    { name: 'the key is a truncated PEM', key: RSA.slice(0, 200), problem: /^DKIM_PRIVATE_KEY: cannot be parsed/ },
    {
      name: 'the key is a public key',
      key: generateKeyPairSync('rsa', { modulusLength: 1024 })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
      problem: /^DKIM_PRIVATE_KEY: cannot be parsed/,
    },
    {
      name: 'the key is Ed25519',
      key: pem('ed25519'),
      problem: /^DKIM_PRIVATE_KEY: is an ed25519 key; DKIM signs with rsa-sha256/,
    },
    {
      name: 'the key is EC P-256',
      key: pem('ec'),
      problem: /^DKIM_PRIVATE_KEY: is an ec key; DKIM signs with rsa-sha256/,
    },
    { name: 'the RSA key has 512 bits', key: pem('rsa', 512), problem: /^DKIM_PRIVATE_KEY: is a 512-bit RSA key/ },
  ])('when $name, then the start is refused naming DKIM_PRIVATE_KEY, never quoting it', ({ key, problem }) => {
    const problems = problemsOf({ ...DKIM, DKIM_PRIVATE_KEY: key });

    expect(problems).toEqual([expect.stringMatching(problem)]);
    expect(problems.join('\n')).not.toContain(key.length > 80 ? key.slice(40, 80) : key);
  });

  it.each<{ name: string; env: Record<string, string>; missing: string }>([
    {
      name: 'only DKIM_DOMAIN is set',
      env: { DKIM_DOMAIN: 'example.com' },
      missing: 'DKIM_SELECTOR, DKIM_PRIVATE_KEY',
    },
    { name: 'the key is missing', env: DKIM, missing: 'DKIM_PRIVATE_KEY' },
    { name: 'only the key is set', env: { DKIM_PRIVATE_KEY: RSA }, missing: 'DKIM_DOMAIN, DKIM_SELECTOR' },
  ])('when $name, then the start is refused naming what is missing', ({ env, missing }) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(new RegExp(`^${missing}: required with`))]);
  });

  it.each<{ name: string; env: Record<string, string> }>([
    { name: 'none of them is set', env: {} },
    { name: 'all three are set with a PKCS#8 RSA key', env: { ...DKIM, DKIM_PRIVATE_KEY: RSA } },
    {
      name: 'the key is PKCS#1',
      env: {
        ...DKIM,
        DKIM_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 1024 })
          .privateKey.export({ type: 'pkcs1', format: 'pem' })
          .toString(),
      },
    },
    {
      name: 'the key is on one line with \\n for its line breaks',
      env: { ...DKIM, DKIM_PRIVATE_KEY: RSA.trim().replace(/\n/g, '\\n') },
    },
  ])('when $name, then the configuration loads', ({ env }) => {
    expect(problemsOf(env)).toEqual([]);
  });
});

describe('createDkimSigner', () => {
  it('when DKIM is not configured, then there is no signer', () => {
    expect(createDkimSigner({})).toBeUndefined();
  });

  it('when a message is signed, then the DKIM-Signature leads it, for the domain and selector, and the message follows unchanged', async () => {
    const sign = createDkimSigner({ ...DKIM, DKIM_PRIVATE_KEY: RSA.trim().replace(/\n/g, '\\n') });
    const message = Buffer.from('From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n');

    // As a stream of two chunks, as the composer hands it over.
    const chunks: Buffer[] = [];
    const signer =
      sign ??
      ((): never => {
        throw new Error('no signer');
      });
    for await (const chunk of signer(Readable.from([message.subarray(0, 10), message.subarray(10)])))
      chunks.push(chunk as Buffer);
    const signed = Buffer.concat(chunks).toString('latin1');

    expect(signed).toMatch(
      /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=example\.com;\s+q=dns\/txt;\s+s=s1;/,
    );
    expect(signed.endsWith(message.toString('latin1'))).toBe(true);
  });
});
