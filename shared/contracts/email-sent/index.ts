export { EMAIL_SENT_SCHEMA_FILE, emailSentDataSchema, emailSentEventType, type EmailSentData } from './schema';
