/**
 * Real services for integration tests, started by the test itself:
 * - PostgreSQL: a fresh database per call on the server at TEST_POSTGRES_URL
 *   (default postgres://postgres@127.0.0.1:5432/postgres), dropped at stop; when that server
 *   is not reachable, or when KOMA_TEST_DB=pglite, an in-memory PGlite served on a socket.
 * - Redis: a private redis-server on a free port.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type Db } from '../../lib/db/client';
import { migrate } from '../../lib/db/migrate';
import { startEmbeddedPostgres } from '../../lib/db/embedded';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../lib/redis/embedded';

export type TestDbKind = 'postgres' | 'pglite';

export interface TestDatabase {
  kind: TestDbKind;
  url: string;
  sql: Db;
  stop(): Promise<void>;
}

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function postgresReachable(): Promise<boolean> {
  const admin = postgres(ADMIN_URL, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await admin`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await admin.end({ timeout: 1 }).catch(() => {});
  }
}

/** Which database kinds this run tests against (both when real PostgreSQL is there). */
export async function testDbKinds(): Promise<TestDbKind[]> {
  const forced = process.env.KOMA_TEST_DB;
  if (forced === 'pglite') return ['pglite'];
  if (forced === 'postgres') return ['postgres'];
  return (await postgresReachable()) ? ['postgres', 'pglite'] : ['pglite'];
}

/** `prefix` names the fresh database (`<prefix>_<time>_<random>`), e.g. `koma_load` for `npm run load`. */
export async function startTestDatabase(kind?: TestDbKind, options: { prefix?: string } = {}): Promise<TestDatabase> {
  const chosen = kind ?? (await testDbKinds())[0];
  if (chosen === 'postgres') {
    const name = `${options.prefix ?? 'koma_test'}_${Date.now()}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const sql = createDb(url.toString());
    await migrate(sql);
    return {
      kind: 'postgres',
      url: url.toString(),
      sql,
      async stop() {
        await sql.end({ timeout: 2 });
        const admin2 = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
        await admin2.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin2.end();
      },
    };
  }
  const embedded = await startEmbeddedPostgres();
  const sql = createDb(embedded.url, { max: 8 });
  await migrate(sql);
  return {
    kind: 'pglite',
    url: embedded.url,
    sql,
    async stop() {
      await sql.end({ timeout: 2 });
      await embedded.stop();
    },
  };
}

export async function startTestRedis(): Promise<EmbeddedRedis> {
  return startEmbeddedRedis();
}
