import { describe, expect, it } from 'vitest';
import { migrate } from '../../lib/db/migrate';
import { startTestDatabase, testDbKinds } from '../support/services';

const kinds = await testDbKinds();

describe.each(kinds)('migrations on %s', (kind) => {
  it('creates every table once and is idempotent', async () => {
    const db = await startTestDatabase(kind);
    try {
      const tables = await db.sql<{ table_name: string }[]>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
      const names = tables.map((t) => t.table_name);
      for (const t of ['users', 'refresh_tokens', 'projects', 'memberships', 'doc_updates', 'doc_snapshots', 'assets', 'generations', 'audit_log', 'schema_migrations']) {
        expect(names).toContain(t);
      }
      const again = await migrate(db.sql);
      expect(again.applied).toEqual([]);
      const rows = await db.sql`SELECT version FROM schema_migrations`;
      expect(rows.length).toBeGreaterThanOrEqual(1);
    } finally {
      await db.stop();
    }
  });
});
