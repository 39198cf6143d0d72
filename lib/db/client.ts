import postgres, { type Sql } from 'postgres';
import { loadConfig } from '../config';

export type Db = Sql<Record<string, never>>;

export interface DbOptions {
  /** Pool size; keep ≤ the embedded socket server's maxConnections. */
  max?: number;
}

/**
 * Seconds before a pool connection tries again after `retries` failed connects. postgres.js'
 * default grows to 20 s (3^n/100 s): after a 10 s outage, edits were acknowledged again only when
 * the slowest connection retried. At most ~1 s costs nothing while the server is away.
 */
export function reconnectDelaySeconds(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1);
}

/** A postgres.js pool for a URL. The same code talks to PostgreSQL and to embedded PGlite. */
export function createDb(url: string, options: DbOptions = {}): Db {
  return postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    // No TLS on loopback/embedded; set sslmode in DATABASE_URL for a remote server.
    ssl: false,
    // Unnamed statements only: embedded PGlite is one session shared by every connection
    // (lib/db/pglite-server.ts), where named statements would collide. Real PostgreSQL pays a
    // parse per query for it, which is negligible at Koma's query rates.
    prepare: false,
    backoff: reconnectDelaySeconds,
  }) as Db;
}

const globalForDb = globalThis as unknown as { __komaDb?: Db };

/** The process-wide pool, from DATABASE_URL (the start script sets it for embedded mode). */
export function db(): Db {
  if (!globalForDb.__komaDb) {
    const url = loadConfig().DATABASE_URL;
    if (!url) {
      throw new Error('DATABASE_URL is not set: start Koma with `npm start` (embedded database) or set DATABASE_URL.');
    }
    globalForDb.__komaDb = createDb(url);
  }
  return globalForDb.__komaDb;
}

/** For tests and shutdown: close the process-wide pool. */
export async function closeDb(): Promise<void> {
  const current = globalForDb.__komaDb;
  globalForDb.__komaDb = undefined;
  await current?.end({ timeout: 5 });
}
