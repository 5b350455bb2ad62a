/** health's identity: name, functions-framework target and public paths (see functions/send-mail/identity.ts). */
export const identity = {
  name: 'health',
  target: 'health',
  publicPaths: [{ type: 'Exact', value: '/health' }],
} as const;

export const HEALTH_PATH: string = identity.publicPaths[0].value;
