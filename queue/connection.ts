import type { ConnectionOptions } from 'bullmq';
import { loadConfig } from '../lib/config';

/**
 * BullMQ connection options from REDIS_URL. BullMQ makes its own ioredis connections from
 * these (blocking commands need dedicated ones) with maxRetriesPerRequest: null.
 */
export function bullConnection(url = loadConfig().REDIS_URL): ConnectionOptions {
  if (!url) throw new Error('REDIS_URL is not set: start Koma with `npm start` (private redis) or set REDIS_URL.');
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/**
 * The API's producers (the phase queue, the flow producer) do not queue commands while Redis is
 * unreachable: `add` then throws at once and the request answers 503, instead of hanging until
 * Redis is back and starting a job the person may have given up on. Workers keep the default,
 * which waits for Redis.
 */
export const producerRedisOptions = { maxRetriesPerRequest: null, enableOfflineQueue: false } as const;
