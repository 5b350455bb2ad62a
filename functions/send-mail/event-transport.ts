/** Which way email.sent events leave send-mail (EVENT_TRANSPORT), with its default; read by settings and budget. */
import { EVENT_TRANSPORTS, type EventTransport } from '../../shared/contracts/email-sent';

/** EVENT_TRANSPORT, or its default: http with a sink, kafka with brokers, else the local file. */
export function eventTransport(config: {
  readonly EVENT_TRANSPORT?: string | undefined;
  readonly K_SINK?: string | undefined;
  readonly KAFKA_BROKERS?: string | undefined;
}): EventTransport {
  const chosen = EVENT_TRANSPORTS.find((transport) => transport === config.EVENT_TRANSPORT);
  if (chosen !== undefined) return chosen;
  if (config.K_SINK !== undefined) return 'http';
  return config.KAFKA_BROKERS === undefined ? 'file' : 'kafka';
}
