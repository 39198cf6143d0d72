import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from './client';

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../schema/migrations');
/** Any constant: all services take the same lock so only one migrates at a time. */
const MIGRATION_LOCK = 7_265_001;

export interface MigrationResult {
  applied: string[];
}

/**
 * Apply every migration in schema/migrations not yet recorded, in name order, in one
 * transaction under an advisory lock. Running it again is a no-op.
 */
export async function migrate(sql: Db, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
    const done = new Set((await tx<{ version: string }[]>`SELECT version FROM schema_migrations`).map((r) => r.version));
    for (const file of files) {
      if (done.has(file)) continue;
      const text = await readFile(path.join(dir, file), 'utf8');
      await tx.unsafe(text);
      await tx`INSERT INTO schema_migrations (version) VALUES (${file})`;
      applied.push(file);
    }
  });
  return { applied };
}
