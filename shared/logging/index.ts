export { createLogger, flushLogsSync, redactedPaths, type Logger, type LoggerSettings } from './logger';
export { maskAddress } from './mask';
