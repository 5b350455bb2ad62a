/**
 * `make dev`: all three functions in one process behind one local port, routed by path the way the
 * production HTTPRoute does. Embedded local defaults; without SMTP_URL mails land in OUTBOX_DIR as .eml.
 */
import { createServer, type RequestListener } from 'node:http';
import { resolve } from 'node:path';
import { createDocsApp } from '../functions/docs/app';
import { DOCS_REDIRECTS } from '../functions/docs/site';
import { createHealthApp } from '../functions/health/app';
import { createSendMailApp } from '../functions/send-mail/app';
import { SEND_MAIL_PATH } from '../functions/send-mail/handler';
import { docsSettings } from '../functions/docs/settings';
import { healthSettings } from '../functions/health/settings';
import { sendMailSettings } from '../functions/send-mail/settings';
import { loadProcessConfig, unionSettings } from '../shared/config';
import type { FunctionApp } from '../shared/http';
import { createRequestListener, portProblem, serveRequests } from '../shared/launcher';
import { mintHs256Token } from './token';

// One process hosts all three: it reads every function's settings.
const config = loadProcessConfig(unionSettings('dev', [sendMailSettings, healthSettings, docsSettings]));
const apps = { sendMail: createSendMailApp(config), health: createHealthApp(config), docs: createDocsApp(config) };
const limits = { maxBodyBytes: config.MAX_BODY_BYTES, requestTimeoutMs: config.REQUEST_TIMEOUT_SECONDS * 1000 };
const listeners = new Map<FunctionApp, RequestListener>(Object.values(apps).map((app) => [app, createRequestListener(app, limits)]));

/** Which function serves a path; the same split as knative/ routes in production. */
function functionFor(path: string): FunctionApp {
  if (path === '/health' || path.startsWith('/health/')) return apps.health;
  if (path.startsWith('/swagger-ui') || path.startsWith('/openapi.') || path.startsWith('/schemas/')) return apps.docs;
  if (DOCS_REDIRECTS.includes(path)) return apps.docs; // `/`, `/docs`, `/swagger`: redirects to Swagger UI
  return apps.sendMail;
}

const server = createServer();
serveRequests(server, (req, res) => {
  const app = functionFor((req.url ?? '/').split('?')[0] ?? '/');
  listeners.get(app)?.(req, res);
});

server.once('error', (err: NodeJS.ErrnoException) => {
  const hint = portProblem(err, config.PORT);
  if (hint === undefined) throw err;
  process.stderr.write(`make dev: ${hint}\n`);
  process.exit(1);
});
server.listen(config.PORT, '127.0.0.1', () => void printWelcome());

async function printWelcome(): Promise<void> {
  const token = config.AUTH_HS256_SECRET
    ? await mintHs256Token({ secret: config.AUTH_HS256_SECRET, rolesClaim: config.AUTH_ROLES_CLAIM, roles: [config.SEND_MAIL_REQUIRED_ROLE], ttlSeconds: 8 * 3600 })
    : '<a token from your identity provider>';
  const base = `http://localhost:${config.PORT}`;
  const outbox = config.SMTP_URL === undefined ? `mails are written to ${resolve(config.OUTBOX_DIR)}` : 'mails go to SMTP_URL';
  const events = !config.FEATURE_EMAIL_SENT_EVENT
    ? []
    : [config.KAFKA_BROKERS === undefined ? `  events     email.sent, one CloudEvent per line, appended to ${resolve(config.EVENT_OUTBOX_FILE)} (EVENT_OUTBOX_FILE)` : `  events     email.sent to Kafka topic ${config.KAFKA_TOPIC}`];
  process.stdout.write(
    [
      '',
      `mailer functions on ${base} (${outbox})`,
      `  send-mail  POST ${base}${SEND_MAIL_PATH}`,
      `  health     GET  ${base}/health`,
      `  docs       GET  ${base}/swagger-ui/   ${base}/openapi.json   ${base}/openapi.yaml`,
      ...events,
      '',
      'try:',
      `  curl -i -X POST ${base}${SEND_MAIL_PATH} \\`,
      `    -H 'Content-Type: application/json' \\`,
      `    -H 'Authorization: Bearer ${token}' \\`,
      `    -d '{"to_address":"demo@mailinator.com","subject":"some subject","body":"some mail body\\nwith a second line\\n"}'`,
      '',
      'a fresh token: make token [ROLE=admin] [TTL=3600]',
      '',
    ].join('\n') + '\n',
  );
}

process.once('SIGINT', () => {
  server.close();
  server.closeAllConnections();
  void Promise.all(Object.values(apps).map((app) => app.stop())).then(() => process.exit(0));
});
