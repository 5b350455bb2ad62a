import { docsSettings } from '../../../../functions/docs/settings';
import { healthSettings } from '../../../../functions/health/settings';
import { sendMailSettings } from '../../../../functions/send-mail/settings';
import { ConfigError, loadConfig, type FunctionSettings, type Specs } from '../../../../shared/config';

const files: Record<string, string> = {};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return text;
};

function problemsOf(
  env: Record<string, string>,
  settings: FunctionSettings<Specs> = sendMailSettings,
): readonly string[] {
  try {
    loadConfig(settings, env, { readFile });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

beforeEach(() => {
  for (const key of Object.keys(files)) delete files[key];
});

describe('loadConfig', () => {
  it('when nothing is set, then the local defaults apply', () => {
    const config = loadConfig(sendMailSettings, {}, { readFile });

    expect(config).toMatchObject({
      ENVIRONMENT: 'local',
      PORT: 8080,
      LOG_FORMAT: 'pretty',
      MAX_BODY_BYTES: 65536,
      MAIL_FROM: 'mailer@localhost.localdomain',
    });
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('when K_SERVICE is set and LOG_FORMAT is not, then logs are ECS', () => {
    expect(loadConfig(sendMailSettings, { K_SERVICE: 'send-mail' }, { readFile }).LOG_FORMAT).toBe('ecs');
  });

  it('when the files and the environment disagree, then env beats SECRETS_FILE beats CONFIG_FILE beats defaults', () => {
    files['/etc/config.yaml'] =
      'smtp:\n  url: smtp://from-config:25\n  poolSize: 3\nlog:\n  level: debug\nmaxBodyBytes: 1000\n';
    files['/etc/secrets.yaml'] = 'smtp.url: smtp://from-secret:25\nSMTP_POOL_SIZE: 4\n';

    const config = loadConfig(
      sendMailSettings,
      { CONFIG_FILE: '/etc/config.yaml', SECRETS_FILE: '/etc/secrets.yaml', SMTP_POOL_SIZE: '9' },
      { readFile },
    );

    expect(config).toMatchObject({
      SMTP_URL: 'smtp://from-secret:25',
      SMTP_POOL_SIZE: 9,
      LOG_LEVEL: 'debug',
      MAX_BODY_BYTES: 1000,
      PORT: 8080,
    });
  });

  it('when a file sets an unknown key, then it is refused by name', () => {
    files['/etc/config.yaml'] = 'smtp:\n  urll: smtp://typo:25\n';

    expect(problemsOf({ CONFIG_FILE: '/etc/config.yaml' })).toEqual(['/etc/config.yaml: unknown setting SMTP_URLL']);
  });

  it('when a file cannot be read, then that is a problem', () => {
    expect(problemsOf({ CONFIG_FILE: '/nope.yaml' })).toEqual(['/nope.yaml: cannot be read (ENOENT)']);
  });

  it('when a secrets file is not valid YAML, then the problem gives a position but not the content', () => {
    files['/etc/secrets.yaml'] = 'smtp:\n  url: "smtp://u:hunter2@x\n';

    const problems = problemsOf({ SECRETS_FILE: '/etc/secrets.yaml' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\/etc\/secrets\.yaml: not valid YAML/);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('when several settings are wrong, then every problem is listed at once (an unknown ENVIRONMENT is not local)', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'loud', ENVIRONMENT: 'prod', MAX_BODY_BYTES: '-1' });

    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'ENVIRONMENT',
      'PORT',
      'LOG_LEVEL',
      'MAX_BODY_BYTES',
      'SMTP_URL',
      'MAIL_FROM',
      'DATABASE_URL',
      'AUTH_ISSUER',
    ]);
  });

  it('when outside local SMTP_URL, MAIL_FROM, the database and a token key are missing, then all are required', () => {
    expect(problemsOf({ ENVIRONMENT: 'staging' }).map((problem) => problem.split(':')[0])).toEqual([
      'SMTP_URL',
      'MAIL_FROM',
      'DATABASE_URL',
      'AUTH_ISSUER',
    ]);
  });

  const production = {
    ENVIRONMENT: 'production',
    SMTP_URL: 'smtps://mail.example.com',
    MAIL_FROM: 'mailer@example.com',
    AUTH_ISSUER: 'https://idp.example.com',
    DATABASE_URL: 'postgres://send_mail@db.example.com:5432/mailer',
  };

  it('when production has an HS256 secret, then it is refused unless explicitly allowed', () => {
    const secret = 'x'.repeat(32);
    expect(problemsOf({ ...production, AUTH_HS256_SECRET: secret })).toEqual([
      'AUTH_HS256_SECRET: refused in production unless AUTH_ALLOW_HS256_IN_PRODUCTION=true',
    ]);
    expect(
      loadConfig(
        sendMailSettings,
        { ...production, AUTH_HS256_SECRET: secret, AUTH_ALLOW_HS256_IN_PRODUCTION: 'true' },
        { readFile },
      ).AUTH_HS256_SECRET,
    ).toBe(secret);
  });

  it('when production has no HS256 secret, then the local dev secret does not leak into it', () => {
    expect(loadConfig(sendMailSettings, production, { readFile }).AUTH_HS256_SECRET).toBeUndefined();
  });

  it('when the HS256 secret is shorter than 32 bytes, then it is refused without printing it', () => {
    const problems = problemsOf({ AUTH_HS256_SECRET: 'short-hunter2' });
    expect(problems).toContain('AUTH_HS256_SECRET: must be at least 32 bytes');
    expect(problems.join()).not.toContain('hunter2');
  });

  it.each([
    { name: 'HS256 in the asymmetric list', value: 'RS256,HS256' },
    { name: 'none', value: 'none' },
    { name: 'an empty list', value: ' , ' },
  ])('when AUTH_ALGORITHMS has $name, then it is refused', ({ value }) => {
    expect(problemsOf({ AUTH_ALGORITHMS: value }).map((problem) => problem.split(':')[0])).toEqual(['AUTH_ALGORITHMS']);
  });

  it('when AUTH_ALGORITHMS is unset, then only asymmetric defaults apply', () => {
    expect(loadConfig(sendMailSettings, {}, { readFile }).AUTH_ALGORITHMS).toEqual([
      'RS256',
      'PS256',
      'ES256',
      'EdDSA',
    ]);
  });

  it.each([
    { name: 'an http URL', url: 'http://user:hunter2@mail.example.com' },
    { name: 'no URL at all', url: 'hunter2' },
    { name: 'no host', url: 'smtp://user:hunter2@' },
    { name: 'not a URL', url: 'notaurl' },
  ])('when SMTP_URL is $name, then the problem names the expected form without printing the value', ({ url }) => {
    const problems = problemsOf({ SMTP_URL: url });

    expect(problems).toEqual(['SMTP_URL: expected an smtp:// or smtps:// URL with a host']);
    expect(problems.join()).not.toContain(url);
  });

  it.each([
    { name: 'PORT', value: 'x', expected: 'expected a port' },
    { name: 'FEATURE_EMAIL_SENT_EVENT', value: 'maybe', expected: 'expected a boolean' },
    { name: 'MAIL_FROM', value: 'nope', expected: 'expected an email' },
    { name: 'MAX_BODY_BYTES', value: '-1', expected: 'expected a positive integer' },
    { name: 'AUTH_ISSUER', value: 'ftp://idp', expected: 'expected an http(s) URL with a host' },
  ])('when $name is $value, then the problem says what form was expected', ({ name, value, expected }) => {
    const [problem] = problemsOf({ [name]: value, AUTH_HS256_SECRET: 'x'.repeat(32) });

    expect(problem?.startsWith(`${name}: `)).toBe(true);
    expect(problem).toContain(expected);
  });

  it.each(['smtp://mail.example.com', 'smtps://user:pass@mail.example.com:465'])(
    'when SMTP_URL is %s, then it is accepted',
    (url) => {
      expect(loadConfig(sendMailSettings, { SMTP_URL: url }, { readFile }).SMTP_URL).toBe(url);
    },
  );
});

describe('loadConfig by owner', () => {
  it('when docs starts in production with only the common settings, then it loads, holding no other setting', () => {
    const config = loadConfig(docsSettings, { ENVIRONMENT: 'production' }, { readFile });

    expect(config).toMatchObject({ ENVIRONMENT: 'production', PORT: 8080 });
    expect(Object.keys(config).filter((key) => /^(SMTP|MAIL|KAFKA|AUTH|HEALTH|EVENT)_/.test(key))).toEqual([]);
  });

  it("when a file names another owner's setting, then the function that does not read it refuses it by name", () => {
    files['/etc/send-mail.yaml'] = 'mail:\n  from: mailer@example.com\n';

    expect(problemsOf({ CONFIG_FILE: '/etc/send-mail.yaml' }, docsSettings)).toEqual([
      '/etc/send-mail.yaml: unknown setting MAIL_FROM',
    ]);
  });

  it('when CONFIG_FILE lists several files, then each is read and the later one wins', () => {
    files['/etc/common.yaml'] = 'log:\n  level: debug\nmaxBodyBytes: 1000\n';
    files['/etc/health.yaml'] = 'health:\n  timeoutMs: 700\nmaxBodyBytes: 2000\n';

    expect(
      loadConfig(healthSettings, { CONFIG_FILE: '/etc/common.yaml, /etc/health.yaml' }, { readFile }),
    ).toMatchObject({ LOG_LEVEL: 'debug', HEALTH_TIMEOUT_MS: 700, MAX_BODY_BYTES: 2000 });
  });

  it('when health starts outside local, then it requires what its checks read and nothing of send-mail', () => {
    expect(problemsOfFor(healthSettings, { ENVIRONMENT: 'staging' })).toEqual([
      'SMTP_URL',
      'DATABASE_URL',
      'AUTH_ISSUER',
    ]);
  });

  it("when send-mail's suppression check is off, then health needs no database either", () => {
    expect(problemsOfFor(healthSettings, { ENVIRONMENT: 'staging', SUPPRESSION_CHECK: 'off' })).toEqual([
      'SMTP_URL',
      'AUTH_ISSUER',
    ]);
  });
});

function problemsOfFor(settings: typeof healthSettings, env: Record<string, string>): string[] {
  try {
    loadConfig(settings, env, { readFile });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((problem) => problem.split(':')[0] ?? '');
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}
