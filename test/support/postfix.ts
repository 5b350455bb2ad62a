/**
 * A real MTA for the tests: Debian's Postfix as a private instance (`postfix -c DIR start`) on a loopback
 * port, with its own queue and log. It relays what send-mail submits: `good.test` to the test's SMTP sink,
 * `bad.test` refused permanently (Postfix's own `error` transport: it bounces at once), `slow.test` deferred
 * (`retry`), and delivers everything for the bounce domain, its own DSNs included, through a `pipe`
 * transport running scripts/feedback-pipe.sh: the inbound MTA of docs/feedback.md. Needs root (Postfix's
 * master runs as root and its pipe as `nobody`); CI runs as root.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes';

const run = promisify(execFile);
const PIPE_SCRIPT = join(__dirname, '..', '..', 'scripts', 'feedback-pipe.sh');

export interface PostfixOptions {
  /** Where `good.test` mail goes: the test's SMTP sink. */
  readonly sinkPort: number;
  /** The domain whose mail (the bounces) goes to the pipe. */
  readonly bounceDomain: string;
  /** The feedback function's reports URL, and the bearer token the pipe sends. */
  readonly feedbackUrl: string;
  readonly token: string;
  /** Postfix's delay_warning_time: a deferred mail older than this gets a delay warning. */
  readonly delayWarning?: string;
}

export interface Postfix {
  readonly port: number;
  readonly dir: string;
  /** The instance's mail log (maillog_file). */
  log(): string;
  stop(): Promise<void>;
}

export async function startPostfix(options: PostfixOptions): Promise<Postfix> {
  const dir = mkdtempSync(join(tmpdir(), 'postfix-'));
  // The pipe runs as nobody: it must reach its script and token.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const postfix = (...args: string[]): Promise<unknown> => run('/usr/sbin/postfix', ['-c', dir, ...args]);
  mkdirSync(join(dir, 'queue'));
  mkdirSync(join(dir, 'data'));
  copyFileSync(PIPE_SCRIPT, join(dir, 'feedback-pipe.sh'));
  chmodSync(join(dir, 'feedback-pipe.sh'), 0o755);
  writeFileSync(join(dir, 'token'), options.token, { mode: 0o644 });
  writeFileSync(
    join(dir, 'transport'),
    [
      `good.test smtp:[127.0.0.1]:${options.sinkPort}`,
      'bad.test error:5.1.1 User unknown (the test MTA refuses bad.test)',
      'slow.test retry:4.4.1 Try again later (the test MTA defers slow.test)',
      `${options.bounceDomain} feedback:`,
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/queue`,
      `data_directory = ${dir}/data`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = relay.test',
      'mydomain = relay.test',
      'myorigin = relay.test',
      'mydestination =',
      'mynetworks = 127.0.0.0/8',
      `relay_domains = ${options.bounceDomain}`,
      `transport_maps = texthash:${dir}/transport`,
      'smtpd_relay_restrictions = permit_mynetworks, reject',
      // Take every mail and let the transports refuse or defer it: Postfix then writes the DSN itself.
      'smtpd_reject_unlisted_recipient = no',
      'alias_maps =',
      'alias_database =',
      'default_transport = error:5.4.4 no route in the test MTA',
      'smtp_dns_support_level = disabled',
      'smtputf8_enable = no',
      'biff = no',
      `maillog_file_prefixes = ${dir}`,
      `maillog_file = ${dir}/maillog`,
      // Retry and warn within seconds, not hours.
      'queue_run_delay = 1s',
      'minimal_backoff_time = 1s',
      'maximal_backoff_time = 2s',
      `delay_warning_time = ${options.delayWarning ?? '0h'}`,
      'feedback_destination_recipient_limit = 1',
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'master.cf'),
    [
      `127.0.0.1:${port} inet n - n - - smtpd`,
      'cleanup unix n - n - 0 cleanup',
      'qmgr unix n - n 300 1 qmgr',
      'rewrite unix - - n - - trivial-rewrite',
      'bounce unix - - n - 0 bounce',
      'defer unix - - n - 0 bounce',
      'trace unix - - n - 0 bounce',
      'verify unix - - n - 1 verify',
      'flush unix n - n 1000? 0 flush',
      'proxymap unix - - n - - proxymap',
      'smtp unix - - n - - smtp',
      'relay unix - - n - - smtp',
      'showq unix n - n - - showq',
      'error unix - - n - - error',
      'retry unix - - n - - error',
      'discard unix - - n - - discard',
      'anvil unix - - n - 1 anvil',
      'scache unix - - n - 1 scache',
      'postlog unix-dgram n - n - 1 postlogd',
      `feedback unix - n n - - pipe flags=DOq user=nobody argv=${dir}/feedback-pipe.sh ${options.feedbackUrl} ${dir}/token`,
    ].join('\n') + '\n',
  );
  await postfix('set-permissions');
  await postfix('start');
  return {
    port,
    dir,
    log: () => (existsSync(join(dir, 'maillog')) ? readFileSync(join(dir, 'maillog'), 'utf8') : ''),
    stop: async () => {
      await postfix('stop').catch(() => postfix('abort'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
