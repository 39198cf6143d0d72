/**
 * Per-request context: a request id (taken from a well-formed `x-request-id` so a proxy's id
 * follows the request through our logs, else generated), the client IP and a child logger.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { childLogger } from '../log';

export interface RequestContext {
  requestId: string;
  ip: string;
  method: string;
  /** The route's stable name (e.g. `projects.create`), used in logs and metric labels. */
  route: string;
  log: Logger;
  startedAt: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(req: Request): string {
  const incoming = req.headers.get('x-request-id');
  return incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The client address. The rightmost `x-forwarded-for` entry is the one added by the hop
 * nearest to us (our reverse proxy, or Next's own server which fills it from the socket when
 * absent); entries to its left are whatever the client claimed and are not trusted.
 */
export function clientIp(req: Request): string {
  const forwarded = req.headers.get('x-forwarded-for');
  const candidates = [forwarded?.split(',').pop(), req.headers.get('x-real-ip')];
  for (const raw of candidates) {
    const ip = raw?.trim().replace(/^::ffff:/, '');
    if (ip && isIP(ip)) return ip;
  }
  return 'unknown';
}

export function createContext(req: Request, route: string): RequestContext {
  const requestId = requestIdFrom(req);
  const ip = clientIp(req);
  return {
    requestId,
    ip,
    method: req.method,
    route,
    log: childLogger({ reqId: requestId, route }),
    startedAt: performance.now(),
  };
}
