/**
 * A DKIM key for the tests and the DNS answer a verifier would get for its selector: mailauth's resolver
 * hook answers `<selector>._domainkey.<domain>` TXT with the key's public half, and nothing else.
 */
import { generateKeyPairSync } from 'node:crypto';

export interface TestDkim {
  readonly domain: string;
  readonly selector: string;
  /** PKCS#8 PEM, as DKIM_PRIVATE_KEY takes it. */
  readonly privateKeyPem: string;
  readonly resolver: (name: string, type: string) => Promise<string[][]>;
}

export function testDkim(domain = 'example.com', selector = 'mailer-test'): TestDkim {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const txt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  return {
    domain,
    selector,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    resolver: (name, type) =>
      name === `${selector}._domainkey.${domain}` && type === 'TXT'
        ? Promise.resolve([[txt]])
        : Promise.reject(Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' })),
  };
}
