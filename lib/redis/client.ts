import { Redis, type RedisOptions } from 'ioredis';
import { loadConfig } from '../config';
import { logRedisOutages } from './unavailable';

/** A new ioredis connection. BullMQ needs maxRetriesPerRequest: null on its connections. */
export function createRedis(url?: string, options: RedisOptions = {}): Redis {
  const target = url ?? loadConfig().REDIS_URL;
  if (!target) throw new Error('REDIS_URL is not set: start Koma with `npm start` (private redis) or set REDIS_URL.');
  return new Redis(target, { maxRetriesPerRequest: null, lazyConnect: false, ...options });
}

const globalForRedis = globalThis as unknown as { __komaRedis?: Redis };

/** The process-wide shared connection (not for BullMQ workers or subscribers). */
export function redis(): Redis {
  if (!globalForRedis.__komaRedis) {
    const client = createRedis();
    logRedisOutages(client, 'shared');
    globalForRedis.__komaRedis = client;
  }
  return globalForRedis.__komaRedis;
}

export async function closeRedis(): Promise<void> {
  const current = globalForRedis.__komaRedis;
  globalForRedis.__komaRedis = undefined;
  await current?.quit().catch(() => current.disconnect());
}
