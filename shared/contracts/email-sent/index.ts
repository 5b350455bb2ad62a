export { EMAIL_SENT_SCHEMA_FILE, emailSentDataSchema, emailSentEventType, type EmailSentData } from './schema';
export { EVENT_TRANSPORTS, kafkaTransportChosen, type EventTransport } from './transport';
