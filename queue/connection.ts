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
