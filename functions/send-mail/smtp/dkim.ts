/**
 * DKIM signing of every composed mail with nodemailer's signer (rsa-sha256, relaxed/relaxed). The key is
 * judged at start (a settings rule): one that cannot be parsed, is not an RSA private key (the algorithm the
 * selector's TXT record publishes, k=rsa) or is shorter than verifiers accept is refused, naming the
 * setting, never quoting it. nodemailer's signer leaves a mail unsigned when signing fails, so each signed
 * message is checked to carry its signature: an unsigned mail is never sent.
 */
import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import DKIM from 'nodemailer/lib/dkim';

/** Declared here, not picked from SendMailConfig: the settings rule below is part of that config's schema. */
export interface DkimConfig {
  readonly DKIM_DOMAIN?: string | undefined;
  readonly DKIM_SELECTOR?: string | undefined;
  readonly DKIM_PRIVATE_KEY?: string | undefined;
}

/** Signs one composed message (its chunks); resolves with the message the signature header leads, in chunks. */
export type DkimSigner = (raw: readonly Buffer[]) => Promise<Buffer[]>;

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
  return async (raw) => {
    const chunks: Buffer[] = [];
    // Streamed in and collected without joining: a large message is held once, not copied per step.
    for await (const chunk of dkim.sign(Readable.from(raw))) chunks.push(chunk as Buffer);
    if (!startsWith(chunks, SIGNATURE_FIELD)) throw new Error('DKIM signing failed: the message carries no signature');
    return chunks;
  };
}

const SIGNATURE_FIELD = 'DKIM-Signature:';

/** Whether the message in `chunks` begins with `prefix` (the first chunks may be shorter than it). */
function startsWith(chunks: readonly Buffer[], prefix: string): boolean {
  let head = '';
  for (const chunk of chunks) {
    if (head.length >= prefix.length) break;
    head += chunk.subarray(0, prefix.length - head.length).toString('latin1');
  }
  return head === prefix;
}
