import type { Logger } from 'pino';
import { logger } from '../log';
import { NETWORK_ERROR_CODES } from '../net';

/**
 * Whether an error says Redis could not be reached (as opposed to a bug or a refused input):
 * ioredis's connection errors, and what it throws for a command when its offline queue is off
 * (the API's job producers, `queue/connection.ts` `producerRedisOptions`).
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  return /enableOfflineQueue|Connection is closed|Stream isn't writeable/i.test(error.message);
}

/** An ioredis client, or a BullMQ queue, worker or flow producer (they re-emit their client's errors). */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * While Redis is away every reconnect attempt errors. Log it at most every 30 s through pino
 * (requests that need Redis meanwhile answer 503), instead of once per attempt on stderr, which
 * is what ioredis does for a connection without an error listener.
 */
export function logRedisOutages(connection: ErrorEmitter, name: string, log: Logger = logger()): void {
  let lastLogged = 0;
  connection.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastLogged < 30_000) return;
    lastLogged = now;
    log.warn({ err: error, connection: name }, 'Redis cannot be reached; what needs it waits or answers 503 until it is back');
  });
}
