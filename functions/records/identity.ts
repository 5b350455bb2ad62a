/**
 * records' identity: name, functions-framework target and public paths: each mail's timeline, the
 * suppression list and the one-click unsubscribe links (see functions/send-mail/identity.ts).
 */
export const identity = {
  name: 'records',
  target: 'records',
  publicPaths: [
    { type: 'PathPrefix', value: '/api/rest/v1/emails' },
    { type: 'PathPrefix', value: '/api/rest/v1/suppressions' },
    { type: 'PathPrefix', value: '/unsubscribe' },
  ],
} as const;

export const EMAIL_PATH = '/api/rest/v1/emails/{messageId}';
export const SUPPRESSIONS_PATH = '/api/rest/v1/suppressions';
export const SUPPRESSION_PATH = '/api/rest/v1/suppressions/{address}';
/** RFC 8058's one-click URL: no JWT, the token is its authentication (shared/unsubscribe). */
export const UNSUBSCRIBE_PATH = '/unsubscribe/{token}';
