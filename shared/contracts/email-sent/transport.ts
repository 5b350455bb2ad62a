/**
 * The ways email.sent leaves send-mail (its EVENT_TRANSPORT), and when that is Kafka: read by send-mail's
 * settings and by health's, whose kafka check must agree with the function it watches.
 */
export const EVENT_TRANSPORTS = ['kafka', 'http', 'file'] as const;
export type EventTransport = (typeof EVENT_TRANSPORTS)[number];

/**
 * Kafka is in effect when EVENT_TRANSPORT says so, or names nothing and no sink is bound (K_SINK): then
 * the brokers are needed outside local (locally their absence means the event file).
 */
export function kafkaTransportChosen(settings: {
  readonly EVENT_TRANSPORT?: unknown;
  readonly K_SINK?: unknown;
}): boolean {
  return (
    settings.EVENT_TRANSPORT === 'kafka' || (settings.EVENT_TRANSPORT === undefined && settings.K_SINK === undefined)
  );
}
