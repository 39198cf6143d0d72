import pino, { type Logger } from 'pino';
import { loadConfig } from './config';

/**
 * Structured JSON logs for every service. Secrets never reach a log line: the redact list
 * covers the places tokens and passwords travel.
 */
export const redactPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

let root: Logger | undefined;

export function logger(): Logger {
  root ??= pino({
    level: process.env.LOG_LEVEL ?? loadConfig().LOG_LEVEL,
    base: { service: process.env.KOMA_SERVICE ?? 'koma' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return root;
}

export function childLogger(bindings: Record<string, unknown>): Logger {
  return logger().child(bindings);
}
