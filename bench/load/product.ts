/**
 * The product under load: either started here as its own process tree (tests/support/product.ts,
 * i.e. `npm start`: web + collab-server + worker + private redis-server) on a fresh database —
 * `koma_load_<time>_<random>` on the local PostgreSQL when one answers, else the embedded PGlite —
 * or an already running product given by URL.
 */
import { createDb, type Db } from '../../lib/db/client';
import { startProduct, type RunningProduct } from '../../tests/support/product';
import { postgresReachable, startTestDatabase, type TestDatabase } from '../../tests/support/services';
import { findServices } from './rss';

export interface ProductUnderLoad {
  baseUrl: string;
  /** Where the clients connect; when absent, the `url` the collab-token API answers. */
  collabUrl?: string;
  /** `postgres` / `pglite (embedded)` / `attached`. */
  database: string;
  /** For the end-of-run check of the durable log; absent when attached without --database-url. */
  sql?: Db;
  /** Service name → pid (empty when attached: their memory is not ours to read). */
  services: Map<string, number>;
  /** Why the product's process tree ended on its own (null while it runs, or when attached). */
  exited(): string | null;
  /** The product's own output so far (empty when attached). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The generator registers a thousand users from one loopback address; the per-IP limit (100/min,
 * meant for one person's browser) would make setup take half an hour, so it is raised for the
 * product started here. Everything else runs with the product's defaults.
 */
const LOAD_ENV = { RATE_LIMIT_PER_IP_PER_MIN: '1000000' };

export async function startProductUnderLoad(log: (line: string) => void): Promise<ProductUnderLoad> {
  let database: TestDatabase | undefined;
  if (await postgresReachable()) {
    database = await startTestDatabase('postgres', { prefix: 'koma_load' });
    log(`database: ${database.url.replace(/^.*\//, '')} on the local PostgreSQL (dropped at the end)`);
  } else {
    log('database: embedded PGlite (no PostgreSQL on 127.0.0.1:5432)');
  }
  let product: RunningProduct | undefined;
  try {
    log('starting the product (npm start; builds the web app first if the build is stale)…');
    // The checkout is shared: another `next build` may hold the build lock. Wait for it.
    for (let attempt = 1; !product; attempt += 1) {
      try {
        product = await startProduct({ env: { ...LOAD_ENV, ...(database ? { DATABASE_URL: database.url } : {}) }, timeoutMs: 600_000 });
      } catch (error) {
        if (attempt >= 20 || !String(error).includes('Another next build process is already running')) throw error;
        log('another next build is running in this checkout; retrying in 20 s…');
        await new Promise((r) => setTimeout(r, 20_000));
      }
    }
  } catch (error) {
    await database?.stop();
    throw error;
  }
  const running = product;
  let sql = database?.sql;
  if (!sql) {
    // Embedded: scripts/start.ts prints where it serves PGlite; read the log through it too.
    const url = /embedded PostgreSQL \(PGlite\) at (\S+)/.exec(running.output())?.[1];
    if (url) sql = createDb(url, { max: 1 });
  }
  const services = findServices(running.process.pid as number);
  let exited: string | null = null;
  running.process.once('exit', (code, signal) => {
    exited = `scripts/start.ts ended (${signal ?? `exit ${code}`}) at ${new Date().toISOString()}`;
  });
  return {
    baseUrl: running.baseUrl,
    collabUrl: running.collabUrl,
    database: database ? 'PostgreSQL 127.0.0.1:5432 (fresh database)' : 'embedded PGlite',
    sql,
    services,
    exited: () => exited,
    output: () => running.output(),
    async stop() {
      if (!database && sql) await sql.end({ timeout: 2 }).catch(() => {});
      await running.stop();
      await database?.stop();
    },
  };
}

export function attachProduct(options: { url: string; collabUrl?: string; databaseUrl?: string }): ProductUnderLoad {
  const sql = options.databaseUrl ? createDb(options.databaseUrl, { max: 2 }) : undefined;
  return {
    baseUrl: options.url.replace(/\/$/, ''),
    collabUrl: options.collabUrl,
    database: 'attached',
    sql,
    services: new Map(),
    exited: () => null,
    output: () => '',
    async stop() {
      await sql?.end({ timeout: 2 });
    },
  };
}
