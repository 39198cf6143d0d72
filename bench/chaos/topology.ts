/**
 * The production topology on one machine, every part a process the chaos run can hurt:
 * a private PostgreSQL cluster, a private redis-server (restartable on the same port, with its
 * append-only file so queued jobs survive), the web app (`next start` on a private copy of the build),
 * two collab-servers joined through Redis, two workers. Worker 1 reaches collab A, worker 2
 * collab B, the web app collab B (so killing A leaves the API whole).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../../lib/db/client';
import { migrate } from '../../lib/db/migrate';
import { freePort } from '../../lib/net';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../lib/redis/embedded';
import { startPrivatePostgres, type PrivatePostgres } from './pg-cluster';
import { Service } from './service';
import { preparePrivateBuild } from '../lib/private-build';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Topology {
  pg: PrivatePostgres;
  /** A pool for the harness's own reads (loadDoc at verification); reconnects after an outage. */
  sql: Db;
  redisUrl: string;
  redisPort: number;
  /** Stop Redis without saving a snapshot (what is in the append-only file survives), then start it on the same port. */
  restartRedis(): Promise<{ downMs: number }>;
  web: Service;
  baseUrl: string;
  collab: { a: Service; b: Service };
  collabUrls: { a: string; b: string };
  workers: [Service, Service];
  logDir: string;
  stop(): Promise<void>;
}

export async function startTopology(log: (line: string) => void): Promise<Topology> {
  log('building the web app and copying it aside (others may rebuild .next meanwhile)…');
  const { distDir } = await preparePrivateBuild('chaos');
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'koma-chaos-logs-'));
  const cleanups: Array<() => Promise<void>> = [];
  const services: Service[] = [];
  // If we die without cleaning up, take the children with us (SIGKILL is all `exit` allows).
  const killAll = () => {
    for (const s of services) if (s.pid && s.running) process.kill(s.pid, 'SIGKILL');
  };
  process.once('exit', killAll);

  const pg = await startPrivatePostgres();
  cleanups.push(() => pg.destroy());
  const stopPg = () => pg.stopNow();
  process.once('exit', stopPg);
  cleanups.push(async () => void process.off('exit', stopPg));
  const migrator = createDb(pg.url, { max: 1 });
  await migrate(migrator);
  await migrator.end({ timeout: 2 });
  const sql = createDb(pg.url, { max: 4 });

  const redisDir = path.join(logDir, 'redis');
  let redis: EmbeddedRedis = await startEmbeddedRedis({ dataDir: redisDir });
  const redisPort = redis.port;

  const secret = randomBytes(32).toString('hex');
  const [webPort, collabA, collabB, health1, health2] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const collabUrls = { a: `ws://127.0.0.1:${collabA}`, b: `ws://127.0.0.1:${collabB}` };
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    JWT_SECRET: secret,
    AI_PROVIDER: 'offline',
    NEXT_TELEMETRY_DISABLED: '1',
    KOMA_PARENT_PID: String(process.pid),
    // The harness is one IP making every request; the limits are not what is under test.
    RATE_LIMIT_PER_IP_PER_MIN: '100000',
    GENERATIONS_PER_USER_PER_MIN: '1000',
    COLLAB_MAX_CONNECTIONS_PER_DOC: '500',
    // A killed worker's job is picked up after its lock expires: 4 s instead of 30 keeps the run short.
    WORKER_LOCK_MS: '4000',
  };
  for (const key of ['COLLAB_PUBLIC_URL', 'COLLAB_INTERNAL_URL', 'COLLAB_INSTANCE_ID', 'PORT', 'COLLAB_PORT', 'GEMINI_API_KEY']) delete base[key];

  const collab = (id: 'a' | 'b', port: number) =>
    new Service({
      name: `collab-${id}`,
      args: ['--import', 'tsx', 'collab-server/main.ts'],
      env: { ...base, COLLAB_PORT: String(port), COLLAB_INSTANCE_ID: `chaos-${id}`, KOMA_SERVICE: `collab-${id}` },
      healthUrl: `http://127.0.0.1:${port}/health`,
      logDir,
    });
  const worker = (n: 1 | 2, healthPort: number, collabUrl: string) =>
    new Service({
      name: `worker-${n}`,
      args: ['--import', 'tsx', 'queue/worker-main.ts'],
      env: { ...base, COLLAB_INTERNAL_URL: collabUrl, WORKER_HEALTH_PORT: String(healthPort), KOMA_SERVICE: `worker-${n}` },
      healthUrl: `http://127.0.0.1:${healthPort}/health`,
      logDir,
    });
  const web = new Service({
    name: 'web',
    // `next start` on the private copy of the build (what scripts/start-web.ts runs after migrating; we migrated above).
    args: [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-p', String(webPort), '-H', '127.0.0.1'],
    cwd: ROOT,
    env: {
      ...base,
      KOMA_NEXT_DIST_DIR: distDir,
      PORT: String(webPort),
      COLLAB_PUBLIC_URL: collabUrls.a,
      COLLAB_INTERNAL_URL: collabUrls.b,
      CORS_ORIGINS: `http://127.0.0.1:${webPort}`,
    },
    healthUrl: `http://127.0.0.1:${webPort}/api/health`,
    logDir,
    startTimeoutMs: 180_000,
  });
  const a = collab('a', collabA);
  const b = collab('b', collabB);
  const workers: [Service, Service] = [worker(1, health1, collabUrls.a), worker(2, health2, collabUrls.b)];
  services.push(a, b, ...workers, web);

  const stop = async () => {
    await Promise.all(services.map((s) => s.stop().catch(() => {})));
    process.off('exit', killAll);
    await sql.end({ timeout: 2 }).catch(() => {});
    await redis.stop().catch(() => {});
    for (const c of cleanups.reverse()) await c().catch(() => {});
    if (!process.env.CHAOS_KEEP_LOGS) await rm(logDir, { recursive: true, force: true });
  };
  try {
    // Two at a time: six TypeScript processes starting at once starve a 2-core machine.
    await Promise.all([a.start(), b.start()]);
    await Promise.all(workers.map((w) => w.start()));
    await web.start();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    pg,
    sql,
    get redisUrl() {
      return redis.url;
    },
    redisPort,
    async restartRedis() {
      const { Redis } = await import('ioredis');
      const admin = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
      // Its own server going away is the point: not an error worth a stack trace.
      admin.on('error', () => {});
      await admin.connect();
      const exited = new Promise<void>((resolve) => redis.process.once('exit', () => resolve()));
      const t = performance.now();
      // SHUTDOWN NOSAVE: no RDB snapshot; the append-only file is flushed, as on any restart.
      await admin.shutdown('NOSAVE').catch(() => {});
      admin.disconnect();
      await exited;
      redis = await startEmbeddedRedis({ dataDir: redisDir, port: redisPort });
      return { downMs: performance.now() - t };
    },
    web,
    baseUrl: `http://127.0.0.1:${webPort}`,
    collab: { a, b },
    collabUrls,
    workers,
    logDir,
    stop,
  };
}
