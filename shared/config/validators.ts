/**
 * The setting types the owners' schemas are made of: envalid's own plus ours. Each carries a human type
 * name for the generated docs; our own validators name the expected form and never quote the value (it
 * may hold a password).
 */
import { isIP } from 'node:net';
import { bool, email, host, json, makeValidator, num, port, str, url, type ValidatorSpec } from 'envalid';

/** Human names of the setting types, keyed by envalid's parser, for the generated docs and the problems. */
const typeNames = new Map<unknown, string>([
  [str({})._parse, 'string'],
  [bool({})._parse, 'boolean'],
  [port({})._parse, 'port'],
  [email({})._parse, 'email'],
  [num({})._parse, 'number'],
  [url({})._parse, 'URL'],
  [host({})._parse, 'host name or IP'],
  [json({})._parse, 'JSON'],
]);

/** An envalid validator whose type the docs and the problems can name. */
export function describedValidator<T>(
  typeName: string,
  parse: (input: string) => T,
): ReturnType<typeof makeValidator<T>> {
  typeNames.set(parse, typeName);
  return makeValidator<T>(parse);
}

/** The human name of a setting's type, e.g. `positive integer`; undefined for a validator nobody named. */
export function typeNameOf(spec: ValidatorSpec<unknown>): string | undefined {
  return typeNames.get(spec._parse);
}

export const positiveInt = describedValidator<number>('positive integer', (input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value <= 0) throw new Error('expected a positive integer');
  return value;
});

export const nonNegativeInt = describedValidator<number>('non-negative integer', (input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 0) throw new Error('expected a non-negative integer');
  return value;
});

/** A shared secret (an HMAC key, a signing secret): at least 32 bytes, never quoted back. */
export const secret32 = describedValidator<string>('string, ≥ 32 bytes', (input) => {
  if (Buffer.byteLength(input, 'utf8') < 32) throw new Error('must be at least 32 bytes');
  return input;
});

/** A URL with one of the given schemes and a host. */
export function urlOf(
  protocols: readonly string[],
  expected: string,
  typeName: string,
): ReturnType<typeof makeValidator<string>> {
  return describedValidator<string>(typeName, (input) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(input);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol) || parsed.hostname === '')
      throw new Error(`expected ${expected}`);
    return input;
  });
}

export const httpUrl = urlOf(['http:', 'https:'], 'an http(s) URL with a host', 'http(s) URL');
export const smtpUrl = urlOf(['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL with a host', 'smtp:// or smtps:// URL');
export const redisUrl = urlOf(
  ['redis:', 'rediss:'],
  'a redis:// or rediss:// URL with a host',
  'redis:// or rediss:// URL',
);

/**
 * A URI reference (RFC 3986, 4.1), such as a CloudEvent source: an absolute URI or a relative one, in
 * printable ASCII without the characters a URI never holds unescaped.
 */
export const uriReference = describedValidator<string>('URI reference', (input) => {
  if (input === '' || /[^\x21-\x7e]|["<>\\^`{|}]/.test(input) || !URL.canParse(input, 'http://base.invalid/'))
    throw new Error('expected a URI reference, e.g. /mailer/send-mail or urn:example:mailer');
  return input;
});

/** CIDR blocks (a bare address is its own block), as `address/prefix`; refused at start when one is not. */
export const cidrList = describedValidator<readonly string[]>('comma-separated CIDR list', (input) => {
  const blocks = input
    .split(',')
    .map((block) => block.trim())
    .filter((block) => block !== '');
  return blocks.map((block) => {
    const [address = '', prefix, ...rest] = block.split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const length = prefix === undefined ? bits : Number(prefix);
    if (family === 0 || rest.length > 0 || !/^\d+$/.test(prefix ?? String(bits)) || length > bits) {
      throw new Error('expected a comma-separated list of CIDR blocks, e.g. 127.0.0.1/32,::1/128');
    }
    return `${address}/${length}`;
  });
});
