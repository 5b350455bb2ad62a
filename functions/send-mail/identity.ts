/**
 * send-mail's identity: its name (the Knative Service, dist/ folder and service.name), its functions-framework
 * target and its public paths (Gateway API match types). Read by the catalog, the app, its API description
 * and `make dev`; it imports nothing, so reading it loads nothing.
 */
export const identity = {
  name: 'send-mail',
  target: 'sendMail',
  publicPaths: [
    { type: 'Exact', value: '/api/rest/v1/sendmail' },
    { type: 'Exact', value: '/api/rest/v1/sendmail/batch' },
  ],
} as const;

export const SEND_MAIL_PATH: string = identity.publicPaths[0].value;
export const SEND_MAIL_BATCH_PATH: string = identity.publicPaths[1].value;
