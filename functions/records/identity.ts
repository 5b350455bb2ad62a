/**
 * records' identity: name, functions-framework target and public paths: each mail's timeline and the
 * suppression list (see functions/send-mail/identity.ts).
 */
export const identity = {
  name: 'records',
  target: 'records',
  publicPaths: [
    { type: 'PathPrefix', value: '/api/rest/v1/emails' },
    { type: 'PathPrefix', value: '/api/rest/v1/suppressions' },
  ],
} as const;

export const EMAIL_PATH = '/api/rest/v1/emails/{messageId}';
export const SUPPRESSIONS_PATH = '/api/rest/v1/suppressions';
export const SUPPRESSION_PATH = '/api/rest/v1/suppressions/{address}';
