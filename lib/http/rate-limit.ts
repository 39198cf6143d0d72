/**
 * Rate limits kept in Redis so every web instance shares them (seed: 100 requests/min per IP,
 * 10 generation requests/min per user). A fixed window opened by the first hit: one atomic
 * script (INCR + PEXPIRE) per request. Over the limit → 429 with Retry-After.
 *
 * If Redis does not answer quickly we let the request through (and log): an outage of the
 * limiter must not take the whole API down with it.
 */
import type { Redis } from 'ioredis';
import { loadConfig } from '../config';
import { logger } from '../log';
import { redis as sharedRedis } from '../redis/client';
import { tooManyRequests } from './errors';
import { withDeadline } from '../deadline';

const SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (≥ 1 when refused). */
  retryAfterSeconds: number;
}

const REDIS_TIMEOUT_MS = 300;

/** Count one hit on `key`; allowed while the count in the current window is ≤ limit. */
export async function hitRateLimit(client: Pick<Redis, 'eval'>, key: string, limit: number, windowMs = 60_000): Promise<RateLimitResult> {
  const raw = (await withDeadline(client.eval(SCRIPT, 1, `koma:rl:${key}`, String(windowMs)), REDIS_TIMEOUT_MS, () => new Error(`redis did not answer in ${REDIS_TIMEOUT_MS} ms`))) as [number, number];
  const count = Number(raw[0]);
  const ttlMs = Number(raw[1]);
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
  };
}

async function enforce(key: string, limit: number, message: string): Promise<RateLimitResult | null> {
  let result: RateLimitResult;
  try {
    const client = sharedRedis();
    // During an outage ioredis queues commands until it reconnects; do not pile requests onto
    // that queue (memory) nor make each one wait for the timeout (latency): let them through.
    if (client.status === 'reconnecting' || client.status === 'close' || client.status === 'end') return null;
    result = await hitRateLimit(client, key, limit);
  } catch (error) {
    logger().warn({ err: error, key }, 'rate limiter unavailable; request let through');
    return null;
  }
  if (!result.allowed) throw tooManyRequests(result.retryAfterSeconds, message);
  return result;
}

/** The per-IP limit every API request goes through (route handlers call it via `route()`). */
export function limitIp(ip: string): Promise<RateLimitResult | null> {
  return enforce(`ip:${ip}`, loadConfig().RATE_LIMIT_PER_IP_PER_MIN, 'too many requests from this address');
}

/**
 * The per-user limit on AI generation requests. Every route that starts a generation (phase
 * runs, pipeline, panel regeneration) calls this after `requireUser`.
 */
export function limitGenerations(userId: string): Promise<RateLimitResult | null> {
  return enforce(`gen:${userId}`, loadConfig().GENERATIONS_PER_USER_PER_MIN, 'too many generation requests');
}
