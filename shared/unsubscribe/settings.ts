/**
 * The settings of one-click unsubscribe (RFC 8058), a fragment composed by send-mail (which puts the link in
 * each broadcast mail) and records (which serves it). The secret is theirs alone.
 */
import { defineSettings, httpUrl, secret32 } from '../config';

export const unsubscribeSpecs = {
  UNSUBSCRIBE_BASE_URL: httpUrl({
    default: undefined,
    desc: 'Public base of the one-click links in broadcast mail: `<base>/unsubscribe/<token>`, routed to the records function. Mailbox providers POST to it from the internet, so it must be reachable there even when the mail API is not; https outside local. Unset (outside local): a broadcast mail must bring its own `list_unsubscribe`.',
    example: 'https://mail.example.com',
  }),
  UNSUBSCRIBE_SECRET: secret32({
    default: undefined,
    desc: 'Key the unsubscribe tokens are sealed with (HKDF to AES-256-CBC + HMAC-SHA-512, JWE `dir`), shared by send-mail and records only. Required with UNSUBSCRIBE_BASE_URL. Unset in records: its unsubscribe route answers 404 for every token.',
  }),
  UNSUBSCRIBE_PREVIOUS_SECRET: secret32({
    default: undefined,
    desc: 'The key before the last rotation: records still reads tokens sealed with it (links in mail already delivered), send-mail never uses it.',
  }),
};

export const unsubscribeSettings = defineSettings({
  owner: 'shared/unsubscribe',
  specs: unsubscribeSpecs,
  secrets: ['UNSUBSCRIBE_SECRET', 'UNSUBSCRIBE_PREVIOUS_SECRET'],
  // `make dev` serves every function on one port: its broadcast mail links to its own records route.
  localDefaults: {
    UNSUBSCRIBE_BASE_URL: 'http://localhost:8080',
    UNSUBSCRIBE_SECRET: 'local-unsubscribe-secret-obviously-fake-0123',
  },
  requiredWhen: { UNSUBSCRIBE_SECRET: 'required when UNSUBSCRIBE_BASE_URL is set' },
  rules: (config) => [
    ...(config.UNSUBSCRIBE_BASE_URL !== undefined && config.UNSUBSCRIBE_SECRET === undefined
      ? ['UNSUBSCRIBE_SECRET: required when UNSUBSCRIBE_BASE_URL is set (every unsubscribe token is sealed with it)']
      : []),
    ...(config.UNSUBSCRIBE_BASE_URL?.startsWith('http:') && config.ENVIRONMENT !== 'local'
      ? ['UNSUBSCRIBE_BASE_URL: must be https outside local (RFC 8058 requires an HTTPS one-click URI)']
      : []),
    ...(config.UNSUBSCRIBE_PREVIOUS_SECRET !== undefined && config.UNSUBSCRIBE_SECRET === undefined
      ? ['UNSUBSCRIBE_PREVIOUS_SECRET: set without UNSUBSCRIBE_SECRET']
      : []),
  ],
});
