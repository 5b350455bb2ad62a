/** feedback's identity: name, functions-framework target and public path (see functions/send-mail/identity.ts). */
export const identity = {
  name: 'feedback',
  target: 'feedback',
  publicPaths: [{ type: 'Exact', value: '/api/rest/v1/feedback/reports' }],
} as const;

export const FEEDBACK_PATH: string = identity.publicPaths[0].value;
