/** docs' identity: name, functions-framework target and public paths (see functions/send-mail/identity.ts). */
export const identity = {
  name: 'docs',
  target: 'docs',
  publicPaths: [
    { type: 'PathPrefix', value: '/swagger-ui' },
    { type: 'Exact', value: '/openapi.json' },
    { type: 'Exact', value: '/openapi.yaml' },
    { type: 'PathPrefix', value: '/schemas' },
    // What people type to find the docs; the docs function redirects each to /swagger-ui/.
    { type: 'Exact', value: '/' },
    { type: 'Exact', value: '/docs' },
    { type: 'Exact', value: '/swagger' },
  ],
} as const;
