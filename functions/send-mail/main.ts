/**
 * Production entry: our launcher hosting send-mail (without loading the framework; see shared/launcher).
 * The SMTP pool's first session starts connecting before the rest of the function loads: Node opens a
 * socket on a later tick, so the entry yields once, and the server's greeting (smtp-server pauses 100 ms
 * before it) then arrives while the modules load instead of after (docs/performance.md).
 */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import type * as App from './app';
import { sendMailSettings } from './settings';
import { openSmtpPool } from './smtp/pool';

const config = loadProcessConfig(sendMailSettings);
const smtpPool = openSmtpPool(config);
setImmediate(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once the SMTP connect is under way, on purpose
  const { createSendMailApp } = require('./app') as typeof App;
  runMain(createSendMailApp(config, undefined, { smtpPool }), config);
});
