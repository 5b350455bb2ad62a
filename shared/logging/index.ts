export { createLogger, flushLogsSync, type Logger, type LoggerSettings } from './logger';
export { CENSOR, REDACTED_KEYS } from './redact';
export { maskAddress } from './mask';
