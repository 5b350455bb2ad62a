import { sendMailSettings } from '../../../../../functions/send-mail/settings';
import { ConfigError, loadConfig } from '../../../../../shared/config';

const staging = {
  ENVIRONMENT: 'staging',
  SMTP_URL: 'smtp://mail.example.com:25',
  MAIL_FROM: 'mailer@example.com',
  AUTH_HS256_SECRET: 'x'.repeat(32),
  DATABASE_URL: 'postgres://send_mail@db.example.com:5432/mailer',
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(sendMailSettings, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe("send-mail's idempotency settings", () => {
  it('when idempotency is on in staging without IDEMPOTENCY_REDIS_URL, then the start is refused naming it', () => {
    expect(problems({ ...staging, FEATURE_IDEMPOTENCY: 'true' })).toEqual([
      'IDEMPOTENCY_REDIS_URL: required but not set',
    ]);
  });

  it('when idempotency is on in staging with a rediss:// URL, then the settings hold', () => {
    expect(
      problems({
        ...staging,
        FEATURE_IDEMPOTENCY: 'true',
        IDEMPOTENCY_REDIS_URL: 'rediss://u:p@redis.example.com:6380',
      }),
    ).toEqual([]);
  });

  it('when locally nothing is set, then idempotency is on with the in-memory store', () => {
    const config = loadConfig(sendMailSettings, {});
    expect(config.FEATURE_IDEMPOTENCY).toBe(true);
    expect(config.IDEMPOTENCY_REDIS_URL).toBeUndefined();
    expect(config.IDEMPOTENCY_TTL_SECONDS).toBe(86400);
  });

  it('when IDEMPOTENCY_LOCK_SECONDS does not exceed REQUEST_TIMEOUT_SECONDS, then the start is refused naming both', () => {
    expect(problems({ IDEMPOTENCY_LOCK_SECONDS: '30', REQUEST_TIMEOUT_SECONDS: '30' })).toEqual([
      expect.stringMatching(/^IDEMPOTENCY_LOCK_SECONDS: 30 s must exceed REQUEST_TIMEOUT_SECONDS \(30 s\)/),
    ]);
  });

  it('when the URL is not a redis URL, then the problem never quotes it (it carries a password)', () => {
    const found = problems({ IDEMPOTENCY_REDIS_URL: 'http://user:s3cret@redis.example.com' });
    expect(found).toEqual([expect.stringMatching(/^IDEMPOTENCY_REDIS_URL: /)]);
    expect(found.join('\n')).not.toContain('s3cret');
  });
});
