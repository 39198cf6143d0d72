/**
 * `npm run start:worker`: one worker process (BullMQ) running the phase agents.
 * Health and metrics on WORKER_HEALTH_PORT (default 9464).
 */
import { loadConfig, collabInternalUrl } from '../lib/config';
import { jwtSecret } from '../lib/auth/secret';
import { createDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';
import { logger } from '../lib/log';
import { exitWithParent } from '../lib/process';
import { selectProvider } from '../agents';
import { startWorker } from './worker';

process.env.KOMA_SERVICE ??= 'worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = logger();
  if (!config.DATABASE_URL || !config.REDIS_URL) {
    log.fatal('DATABASE_URL and REDIS_URL must be set: start Koma with `npm start`, or set both.');
    process.exit(1);
  }
  const sql = createDb(config.DATABASE_URL, { max: 4 });
  await migrate(sql);
  exitWithParent();
  const provider = selectProvider(config);
  const running = await startWorker({
    sql,
    redisUrl: config.REDIS_URL,
    secret: jwtSecret(),
    collabUrl: collabInternalUrl(config),
    provider,
    log,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_MS,
    healthPort: config.WORKER_HEALTH_PORT,
    metricsToken: config.METRICS_TOKEN,
  });
  log.info({ provider: provider.name, concurrency: config.WORKER_CONCURRENCY, healthPort: running.healthPort }, 'worker ready');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await running.close();
    await sql.end({ timeout: 5 });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  logger().fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
