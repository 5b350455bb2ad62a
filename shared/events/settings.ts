/**
 * The settings of event publishing, as fragments (see shared/config/settings.ts). `eventPeerSettings`: which
 * way events leave and how to reach Kafka, read alike by every function that publishes events and by health,
 * which checks the same peer and must connect to it exactly as the publisher does. `eventPublishingSettings`:
 * what only a publisher reads (timeouts, breakers, the envelope). The topic and the source are each
 * publisher's own. `emailSentToggleSettings`: send-mail's toggle for its email.sent events (health reads it
 * too); a function without a toggle (feedback: its events are its purpose) always publishes.
 */
import { bool, str } from 'envalid';
import { defineSettings, describedValidator, httpUrl, positiveInt } from '../config';
import { EVENT_TRANSPORTS, eventTransport, kafkaTransportChosen } from './transport';

/** Milliseconds for a budget that is split into attempts: below 300 no attempt has room for a broker's answer. */
const budgetMs = describedValidator<number>('integer ≥ 300 (ms)', (input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 300) throw new Error('expected an integer of at least 300 (milliseconds)');
  return value;
});

/** Events are on unless a toggle the function composes turns them off. */
const eventsOn = (env: Record<string, unknown>): boolean => env.FEATURE_EMAIL_SENT_EVENT !== false;

export const emailSentToggleSettings = defineSettings({
  owner: 'shared/events (the email.sent toggle)',
  specs: {
    FEATURE_EMAIL_SENT_EVENT: bool({
      default: false,
      desc: "Feature toggle: send-mail emits an email.sent CloudEvent after each delivered mail, through EVENT_TRANSPORT, and health checks that transport's peer. Off: no producer, no connection, and health's kafka check says DISABLED.",
    }),
  },
});

export const eventPeerSpecs = {
  EVENT_TRANSPORT: str({
    choices: [...EVENT_TRANSPORTS],
    default: undefined,
    desc: "How events leave: `http` (a binary-mode CloudEvent POSTed to K_SINK, e.g. a KafkaSink or Broker; health's kafka check says DISABLED, events.sink: Knative reports the sink's readiness), `kafka` (produced to KAFKA_TOPIC by the function itself) or `file` (EVENT_OUTBOX_FILE, local only). Unset: `http` when K_SINK is set, else `kafka` when KAFKA_BROKERS is set, else `file`.",
  }),
  // Required by a publisher in http mode (eventPublishingSettings' rule), not by health, whose check needs only the transport.
  K_SINK: httpUrl({
    default: undefined,
    desc: "The sink's address, injected by a Knative SinkBinding (knative/examples/kafkasink/); events are POSTed to it in http mode. A publishing function requires it in http mode when its events are on (send-mail: FEATURE_EMAIL_SENT_EVENT; feedback: always); health only reads it to pick the transport.",
    example: 'http://kafka-sink-ingress.knative-eventing.svc.cluster.local/mailer/email-sent',
  }),
  KAFKA_BROKERS: str({
    default: undefined,
    requiredWhen: (env) => eventsOn(env) && env.ENVIRONMENT !== 'local' && kafkaTransportChosen(env),
    desc: 'Comma-separated host:port list (kafka mode). Unset locally: events go to EVENT_OUTBOX_FILE.',
    example: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
  }),
  KAFKA_CLIENT_ID: str({
    default: 'mailer-send-mail',
    desc: 'Kafka client id; health connects as <id>-health.',
  }),
  KAFKA_SSL: bool({ default: false, desc: 'Connect to the brokers with TLS.' }),
  KAFKA_SASL_MECHANISM: str({
    choices: ['plain', 'scram-sha-256', 'scram-sha-512'],
    default: undefined,
    desc: 'SASL mechanism; unset: no SASL.',
  }),
  KAFKA_SASL_USERNAME: str({ default: undefined, desc: 'SASL user name.' }),
  KAFKA_SASL_PASSWORD: str({ default: undefined, desc: 'SASL password.' }),
};

export const eventPeerSettings = defineSettings({
  owner: 'shared/events',
  specs: eventPeerSpecs,
  secrets: ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'],
  requiredWhen: {
    KAFKA_BROKERS:
      'required outside local when events are on (send-mail: FEATURE_EMAIL_SENT_EVENT; feedback: always), in kafka mode (EVENT_TRANSPORT=kafka, or unset without K_SINK)',
  },
});

export const eventPublishingSpecs = {
  EVENT_HTTP_TIMEOUT_MS: budgetMs({
    default: 2000,
    desc: 'How long one event POST may take in http mode, waiting for a free connection included; then it is given up (a dead letter). With AUTH_JWKS_TIMEOUT_MS (with an issuer) and SMTP_SEND_TIMEOUT_SECONDS it must fit in REQUEST_TIMEOUT_SECONDS; checked at start.',
  }),
  EVENT_HTTP_CONCURRENCY: positiveInt({
    default: 10,
    desc: 'Event POSTs in flight at once per instance in http mode (keep-alive connections to the sink); more wait for a free one.',
  }),
  EVENT_HTTP_BREAKER_RESET_SECONDS: positiveInt({
    default: 10,
    desc: 'How long the event-sink breaker (http mode) stays open before a trial POST.',
  }),
  KAFKA_ALLOW_AUTO_TOPIC_CREATION: bool({
    default: false,
    desc: 'Let the producer create KAFKA_TOPIC when it does not exist (kafka mode). On locally (ENVIRONMENT=local) by default; elsewhere the topic is created with its partitions and retention on purpose.',
  }),
  KAFKA_CONTENT_MODE: str({
    choices: ['binary', 'structured'],
    default: 'binary',
    desc: 'CloudEvents Kafka binding mode.',
  }),
  KAFKA_SEND_TIMEOUT_MS: budgetMs({
    default: 2000,
    desc: 'How long one event send may take, all attempts included: the Kafka client gives up within it by itself (two attempts, each request waiting about half of it); the breaker gives up at about 1.5 × at the latest. With AUTH_JWKS_TIMEOUT_MS (with an issuer) and SMTP_SEND_TIMEOUT_SECONDS it must fit in REQUEST_TIMEOUT_SECONDS; checked at start.',
  }),
  KAFKA_BREAKER_RESET_SECONDS: positiveInt({
    default: 10,
    desc: 'How long the Kafka breaker stays open before a trial send.',
  }),
  EVENT_TYPE_PREFIX: str({
    default: 'com.example.mailer',
    desc: 'Event types are <prefix>.<event>.v1, e.g. <prefix>.email.sent.v1.',
  }),
  PUBLIC_BASE_URL: httpUrl({
    default: undefined,
    desc: 'Public base URL of the API; event dataschema URLs point below it. Unset: http://localhost:<PORT>, the port the function (or `make dev`) listens on.',
  }),
  EVENT_OUTBOX_FILE: str({
    default: '.outbox/events.jsonl',
    desc: 'Local only: where events go in file mode, one structured CloudEvent per line.',
  }),
};

/** Where the API is reached from outside: PUBLIC_BASE_URL, or this process's own port on localhost. */
export function publicBaseUrl(config: {
  readonly PUBLIC_BASE_URL?: string | undefined;
  readonly PORT?: number;
}): string {
  if (config.PUBLIC_BASE_URL !== undefined) return config.PUBLIC_BASE_URL.replace(/\/$/, '');
  if (config.PORT === undefined) throw new TypeError('publicBaseUrl needs PUBLIC_BASE_URL or PORT');
  return `http://localhost:${config.PORT}`;
}

export const eventPublishingSettings = defineSettings({
  owner: 'shared/events (publishers)',
  specs: eventPublishingSpecs,
  localDefaults: { KAFKA_ALLOW_AUTO_TOPIC_CREATION: 'true' },
  rules: (config) => {
    const peers = config as unknown as Record<string, unknown>;
    if (!eventsOn(peers)) return [];
    return [
      ...(eventTransport(peers) === 'http' && peers.K_SINK === undefined
        ? ['K_SINK: required when events are on and EVENT_TRANSPORT is http (a SinkBinding injects it)']
        : []),
      ...(config.ENVIRONMENT !== 'local' && eventTransport(peers) === 'file'
        ? ['EVENT_TRANSPORT: file is for ENVIRONMENT=local only; set K_SINK (http) or KAFKA_BROKERS (kafka)']
        : []),
    ];
  },
});
