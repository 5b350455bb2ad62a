/**
 * The settings of VERP bounce addresses, a fragment composed by send-mail (which writes the tag into each
 * mail's envelope sender) and feedback (which reads it back from a report's envelope recipient). The
 * secret is theirs alone.
 */
import { defineSettings, describedValidator, secret32 } from '../config';
import { MAX_LOCAL_PART } from './tag';

const hostname = describedValidator<string>('domain name', (input) => {
  const domain = input.trim().toLowerCase();
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/.test(domain))
    throw new Error('expected a domain name, e.g. bounces.example.com');
  return domain;
});

const localPart = describedValidator<string>(`local part, at most ${MAX_LOCAL_PART} characters`, (input) => {
  if (!new RegExp(`^[a-z0-9][a-z0-9._-]{0,${MAX_LOCAL_PART - 1}}$`, 'i').test(input) || input.includes('+'))
    throw new Error(`expected letters, digits, '.', '_' or '-' (no '+'), at most ${MAX_LOCAL_PART} characters`);
  return input;
});

export const verpSpecs = {
  BOUNCE_DOMAIN: hostname({
    default: undefined,
    desc: "Domain of the VERP envelope sender (`<BOUNCE_LOCAL_PART>+<tag>@<BOUNCE_DOMAIN>`): bounces come back there, to the feedback function (docs/feedback.md). Also the Message-ID's domain. The From: header does not change. Unset: send-mail's envelope sender is MAIL_FROM, as before, and feedback correlates nothing.",
    example: 'bounces.example.com',
  }),
  BOUNCE_LOCAL_PART: localPart({
    default: 'bounces',
    desc: 'Local part before the tag: `<local>+<48 hex digits>` stays within the 64 octets a local part may have.',
  }),
  BOUNCE_VERP_SECRET: secret32({
    default: undefined,
    desc: "Key of the tag's HMAC (SHA-256), shared by send-mail and feedback only. Required with BOUNCE_DOMAIN. A report whose tag does not verify correlates to no mail.",
  }),
  BOUNCE_VERP_PREVIOUS_SECRET: secret32({
    default: undefined,
    desc: 'The key before the last rotation: feedback still accepts tags made with it (bounces arrive for days), send-mail never uses it.',
  }),
};

export const verpSettings = defineSettings({
  owner: 'shared/verp',
  specs: verpSpecs,
  secrets: ['BOUNCE_VERP_SECRET', 'BOUNCE_VERP_PREVIOUS_SECRET'],
  // `make dev` sends from VERP addresses, so a bounce posted to its feedback function correlates.
  localDefaults: {
    BOUNCE_DOMAIN: 'bounces.localhost',
    BOUNCE_VERP_SECRET: 'local-verp-secret-obviously-fake-0123456789',
  },
  requiredWhen: { BOUNCE_VERP_SECRET: 'required when BOUNCE_DOMAIN is set' },
  rules: (config) =>
    config.BOUNCE_DOMAIN !== undefined && config.BOUNCE_VERP_SECRET === undefined
      ? ['BOUNCE_VERP_SECRET: required when BOUNCE_DOMAIN is set (the tag of every bounce address is signed with it)']
      : [],
});
