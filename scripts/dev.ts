/**
 * `make dev`: every function of functions/catalog.ts in one process behind one local port, routed by the
 * catalog's public paths, as the production HTTPRoute does. Each function's probes and metrics, which in a
 * pod live on its own port and are never routed, are served under its name: `/<function>/livez`, `/readyz`,
 * `/metrics`. Embedded local defaults; without SMTP_URL mails land in OUTBOX_DIR as .eml.
 */
import { createServer, type RequestListener } from 'node:http';
import { resolve } from 'node:path';
import { FUNCTIONS, functionForPath } from '../functions/catalog';
import { FEEDBACK_PATH } from '../functions/feedback/identity';
import type { RecorderApp } from '../functions/recorder/app';
import { HEALTH_PATH } from '../functions/health/identity';
import { SEND_MAIL_PATH } from '../functions/send-mail/identity';
import type { SendMailConfig } from '../functions/send-mail/settings';
import { eventTransport } from '../shared/events';
import { loadProcessConfig } from '../shared/config';
import { createLogger } from '../shared/logging';
import { createPipeline, type FunctionApp } from '../shared/http';
import { createRequestListener, listenerLimits, portProblem, serveRequests } from '../shared/launcher';
import { startDevTrigger, type DevTrigger } from './dev-trigger';
import { mintHs256Token } from './token';

/** The welcome below names send-mail's settings (its token, its outbox). */
type DevConfig = SendMailConfig;
const SEND_MAIL = 'send-mail';

async function start(): Promise<void> {
  // One process hosts every function; each reads its own settings (two may share a name with their own
  // defaults: KAFKA_TOPIC, EVENT_SOURCE), all from the same environment.
  const apps = new Map<string, { app: FunctionApp; listener: RequestListener }>();
  const loaded = await Promise.all(
    FUNCTIONS.map(async (entry) => ({ entry, config: loadProcessConfig(await entry.loadSettings()) })),
  );
  const config = loaded.find(({ entry }) => entry.name === SEND_MAIL)?.config as DevConfig;
  const limits = listenerLimits(config);
  for (const { entry, config: own } of loaded) {
    const app = (await entry.loadApp())(own);
    apps.set(entry.name, { app, listener: createRequestListener(app, limits) });
  }
  // In the cluster a Trigger (or a KafkaSource) delivers the events to the recorder; here, the events file does.
  const recorder = apps.get('recorder')?.app as RecorderApp | undefined;
  const trigger: DevTrigger | undefined =
    recorder && eventTransport(config) === 'file'
      ? startDevTrigger(config.EVENT_OUTBOX_FILE, (event) => recorder.receive(event))
      : undefined;
  // A path the HTTPRoute does not route (probes and /metrics included): the gateway's 404, through a pipeline with no routes.
  const notRouted = createPipeline([], createLogger({ service: 'dev-router', config, version: 'dev' })).handle;

  const server = createServer();
  serveRequests(server, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const internal = INTERNAL_PATH.exec(path);
    const owner = internal ? apps.get(internal[1] ?? '') : undefined;
    if (owner) {
      // The function's own port in a pod: its listener answers probes and /metrics before anything else.
      req.url = `/${internal?.[2] ?? ''}`;
      owner.listener(req, res);
      return;
    }
    const entry = functionForPath(path);
    const found = entry && apps.get(entry.name);
    if (found) found.listener(req, res);
    else void notRouted(req as Parameters<typeof notRouted>[0], res as Parameters<typeof notRouted>[1]);
  });
  server.once('error', (err: NodeJS.ErrnoException) => {
    const hint = portProblem(err, config.PORT);
    if (hint === undefined) throw err;
    process.stderr.write(`make dev: ${hint}\n`);
    process.exit(1);
  });
  process.once('SIGINT', () => {
    trigger?.stop();
    server.close();
    server.closeAllConnections();
    void Promise.all([...apps.values()].map(({ app }) => app.stop())).then(() => process.exit(0));
  });
  server.listen(config.PORT, '127.0.0.1', () => void printWelcome(config, trigger !== undefined));
}

/** `/<function>/livez`, `/readyz` or `/metrics`: a function's own probes and metrics, under its name. */
const INTERNAL_PATH = /^\/([a-z0-9-]+)\/(livez|readyz|metrics)$/;

async function printWelcome(config: DevConfig, recording: boolean): Promise<void> {
  const token = config.AUTH_HS256_SECRET
    ? await mintHs256Token({
        secret: config.AUTH_HS256_SECRET,
        rolesClaim: config.AUTH_ROLES_CLAIM,
        roles: [config.SEND_MAIL_REQUIRED_ROLE],
        ttlSeconds: 8 * 3600,
      })
    : '<a token from your identity provider>';
  const base = `http://localhost:${config.PORT}`;
  const outbox =
    config.SMTP_URL === undefined ? `mails are written to ${resolve(config.OUTBOX_DIR)}` : 'mails go to SMTP_URL';
  const events = !config.FEATURE_EMAIL_SENT_EVENT
    ? []
    : [
        {
          file: `  events     email.sent, one CloudEvent per line, appended to ${resolve(config.EVENT_OUTBOX_FILE)} (EVENT_OUTBOX_FILE)`,
          kafka: `  events     email.sent to Kafka topic ${config.KAFKA_TOPIC}`,
          http: `  events     email.sent POSTed to ${config.K_SINK ?? ''} (K_SINK)`,
        }[eventTransport(config)],
      ];
  process.stdout.write(
    [
      '',
      `mailer functions on ${base} (${outbox})`,
      `  send-mail  POST ${base}${SEND_MAIL_PATH}`,
      `  feedback   POST ${base}${FEEDBACK_PATH}   (bounces and complaints, message/rfc822; README "When mail bounces")`,
      `  health     GET  ${base}${HEALTH_PATH}`,
      `  docs       GET  ${base}/swagger-ui/   ${base}/openapi.json   ${base}/openapi.yaml`,
      `  probes     GET  ${base}/<function>/livez   /readyz   /metrics   (${FUNCTIONS.map((fn) => fn.name).join(', ')})`,
      ...events,
      ...(recording
        ? [
            `  recorder   every event in ${resolve(config.EVENT_OUTBOX_FILE)} is recorded (timeline, suppressions) in ${config.DATABASE_URL === undefined ? `PGlite, ${resolve(config.PGLITE_DIR)}` : 'DATABASE_URL'}`,
          ]
        : []),
      `  suppressions  SUPPRESSION_CHECK=${config.SUPPRESSION_CHECK}${config.SUPPRESSION_CHECK === 'off' ? ' (make dev turns it on)' : ''}`,
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

start().catch((err: unknown) => {
  process.stderr.write(`make dev: ${String(err)}\n`);
  process.exit(1);
});
