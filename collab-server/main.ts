/**
 * `npm run start:collab`: one collab-server instance, configured from the environment
 * (lib/config.ts). WebSocket, /health and /metrics on COLLAB_PORT.
 */
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';
import { jwtSecret } from '../lib/auth/secret';
import { logger } from '../lib/log';
import { startCollabServer } from './server';

process.env.KOMA_SERVICE ??= 'collab-server';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = logger();
  if (!config.DATABASE_URL) {
    log.fatal('DATABASE_URL is not set: start Koma with `npm start` (embedded database) or set DATABASE_URL.');
    process.exit(1);
  }
  if (!config.REDIS_URL) {
    log.warn('REDIS_URL is not set: this collab-server runs alone (no scale-out, no revocations from the web API).');
  }
  const sql = createDb(config.DATABASE_URL, { max: 10 });
  // Idempotent and advisory-locked: safe when several services start at once.
  await migrate(sql);
  const server = await startCollabServer({
    sql,
    secret: jwtSecret(),
    redisUrl: config.REDIS_URL,
    port: config.COLLAB_PORT,
    instanceId: config.COLLAB_INSTANCE_ID,
    storeDeadlineMs: config.COLLAB_STORE_DEADLINE_MS,
    compactEveryUpdates: config.COLLAB_COMPACT_EVERY_UPDATES,
    membershipSweepMs: config.COLLAB_MEMBERSHIP_SWEEP_MS,
    metricsToken: config.METRICS_TOKEN,
    limits: {
      maxMessageBytes: config.COLLAB_MAX_MESSAGE_BYTES,
      maxDocBytes: config.COLLAB_MAX_DOC_BYTES,
      maxConnectionsPerDoc: config.COLLAB_MAX_CONNECTIONS_PER_DOC,
      maxDocsPerConnection: config.COLLAB_MAX_DOCS_PER_CONNECTION,
      maxUnauthBytes: config.COLLAB_MAX_UNAUTH_BYTES,
      maxUnauthMessages: config.COLLAB_MAX_UNAUTH_MESSAGES,
      ratePerSec: config.COLLAB_RATE_PER_SEC,
      rateBurst: config.COLLAB_RATE_BURST,
    },
    log,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping collab-server');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await server.close();
    await sql.end({ timeout: 5 });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  logger().fatal({ err: error }, 'collab-server failed to start');
  process.exit(1);
});
