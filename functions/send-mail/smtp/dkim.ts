/**
 * DKIM signing of every composed mail with nodemailer's signer (rsa-sha256, relaxed/relaxed). The key is
 * judged at start (a settings rule): one that cannot be parsed, is not an RSA private key (the algorithm the
 * selector's TXT record publishes, k=rsa) or is shorter than verifiers accept is refused, naming the
 * setting, never quoting it. nodemailer's signer leaves a mail unsigned when signing fails, so each signed
 * message is checked to carry its signature: an unsigned mail is never sent.
 */
import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { pipeline, type Readable, Transform } from 'node:stream';
import DKIM from 'nodemailer/lib/dkim';

/** Declared here, not picked from SendMailConfig: the settings rule below is part of that config's schema. */
export interface DkimConfig {
  readonly DKIM_DOMAIN?: string | undefined;
  readonly DKIM_SELECTOR?: string | undefined;
  readonly DKIM_PRIVATE_KEY?: string | undefined;
}

/**
 * Signs one composed message as it streams: the signature header leads the output (nodemailer hashes the
 * body first, holding it), and an output that does not begin with one fails instead of going out unsigned.
 */
export type DkimSigner = (message: Readable) => Readable;

/** The one algorithm nodemailer signs with; the selector's DNS record must publish an RSA key. */
export const DKIM_ALGORITHM = 'rsa-sha256';
/** RFC 8301: verifiers must not accept RSA keys below 1024 bits. */
const MIN_RSA_BITS = 1024;
const DKIM_NAMES = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'] as const;

/** The settings rule: the three together or none, and a key that signs with rsa-sha256. */
export function dkimProblems(config: DkimConfig): string[] {
  const set = DKIM_NAMES.filter((name) => config[name] !== undefined && config[name] !== '');
  if (set.length === 0) return [];
  if (set.length < DKIM_NAMES.length) {
    const missing = DKIM_NAMES.filter((name) => !set.includes(name));
    return [`${missing.join(', ')}: required with ${set.join(', ')} (DKIM signing needs all three, or none)`];
  }
  const problem = keyProblem(config.DKIM_PRIVATE_KEY ?? '');
  return problem === undefined ? [] : [`DKIM_PRIVATE_KEY: ${problem}`];
}

function keyProblem(pem: string): string | undefined {
  let key: KeyObject;
  try {
    key = createPrivateKey(normalizePem(pem));
  } catch {
    return 'cannot be parsed; expected a PEM private key (PKCS#8 or PKCS#1)';
  }
  if (key.asymmetricKeyType !== 'rsa')
    return `is an ${key.asymmetricKeyType ?? 'unknown'} key; DKIM signs with ${DKIM_ALGORITHM}, which needs an RSA key`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) return `is a ${bits}-bit RSA key; verifiers refuse keys below ${MIN_RSA_BITS} bits`;
  try {
    createSign('RSA-SHA256').update('probe').sign(key);
  } catch {
    return `cannot sign with ${DKIM_ALGORITHM}`;
  }
  return undefined;
}

/** A PEM given on one line through an environment variable, with `\n` for its line breaks. */
function normalizePem(pem: string): string {
  return pem.includes('\n') ? pem : pem.replace(/\\n/g, '\n');
}

/** The signer of a deployment with DKIM settings; undefined without them (local runs, tests). */
export function createDkimSigner(config: DkimConfig): DkimSigner | undefined {
  if (!config.DKIM_DOMAIN || !config.DKIM_SELECTOR || !config.DKIM_PRIVATE_KEY) return undefined;
  const dkim = new DKIM({
    domainName: config.DKIM_DOMAIN,
    keySelector: config.DKIM_SELECTOR,
    privateKey: normalizePem(config.DKIM_PRIVATE_KEY),
  });
  return (message) => {
    const signed = dkim.sign(message) as Readable;
    const checked = requireSignature();
    pipeline(signed, checked, () => undefined); // an error on either ends the other: the reader sees it
    return checked;
  };
}

const SIGNATURE_FIELD = 'DKIM-Signature:';

/** Passes the message on once its first bytes are the signature header; fails it otherwise. */
function requireSignature(): Transform {
  let head: Buffer | undefined = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (head === undefined) return done(null, chunk);
      head = Buffer.concat([head, chunk]);
      if (head.length < SIGNATURE_FIELD.length) return done();
      if (head.subarray(0, SIGNATURE_FIELD.length).toString('latin1') !== SIGNATURE_FIELD)
        return done(new Error('DKIM signing failed: the message carries no signature'));
      const first = head;
      head = undefined;
      done(null, first);
    },
    flush(done) {
      done(head === undefined ? null : new Error('DKIM signing failed: the message carries no signature'));
    },
  });
}
