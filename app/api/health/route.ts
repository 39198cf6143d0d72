import { db } from '@/lib/db/client';
import { redis } from '@/lib/redis/client';
import { json, preflight, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

const TIMEOUT_MS = 2_000;

/** ok, or why not — bounded in time so a hung dependency gives 503, not a hung probe. */
async function check(probe: () => Promise<unknown>): Promise<'ok' | 'error'> {
  try {
    await Promise.race([
      probe(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS).unref()),
    ]);
    return 'ok';
  } catch {
    return 'error';
  }
}

export const GET = route(
  'health',
  async () => {
    const [postgres, redisStatus] = await Promise.all([
      check(() => db()`SELECT 1`),
      check(async () => {
        const client = redis();
        // While reconnecting, a PING would only join ioredis' offline queue: report at once.
        if (client.status === 'reconnecting' || client.status === 'end') throw new Error(`redis ${client.status}`);
        return client.ping();
      }),
    ]);
    const ok = postgres === 'ok' && redisStatus === 'ok';
    return json({ status: ok ? 'ok' : 'error', postgres, redis: redisStatus }, ok ? 200 : 503);
  },
  { rateLimit: false },
);

export const OPTIONS = preflight;
