/**
 * The SMTP server's address, a fragment read alike by send-mail (which delivers to it) and health (which
 * greets it), so the two cannot be configured apart.
 */
import { defineSettings, smtpUrl } from '../config';

export const smtpSpecs = {
  SMTP_URL: smtpUrl({
    default: undefined,
    requiredWhen: (env) => env.ENVIRONMENT !== 'local',
    desc: "SMTP server, smtp:// or smtps://, with optional user:password: send-mail delivers to it, health's smtp check greets it. Unset locally: mail goes to OUTBOX_DIR and the smtp check says DISABLED.",
    example: 'smtps://user:pass@mail.example.com:465',
  }),
};

export const smtpSettings = defineSettings({ owner: 'shared/smtp', specs: smtpSpecs, secrets: ['SMTP_URL'] });
