import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { backupToFile, restoreFromFile, BackupError } from '../../lib/db/backup';
import { appendUpdates, loadDocState, storeInitialSnapshot } from '../../lib/db/docstore';
import { createSeedUpdate, getProjectMeta, getSourceText, workDocName } from '../../lib/doc/project-doc';
import { startTestDatabase, testDbKinds } from '../support/services';

const kinds = await testDbKinds();

describe.each(kinds)('backup and restore on %s', (kind) => {
  it('restores accounts, projects, documents and assets into a fresh database and every project opens', async () => {
    const source = await startTestDatabase(kind);
    const target = await startTestDatabase(kind);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'koma-backup-'));
    try {
      const sql = source.sql;
      const [user] = await sql<{ id: string }[]>`INSERT INTO users (email, name, password_hash) VALUES ('a@example.com', 'A', 'x') RETURNING id`;
      const projects: string[] = [];
      for (const title of ['傘の下で', 'The Lighthouse']) {
        const [p] = await sql<{ id: string }[]>`
          INSERT INTO projects (owner_id, title, language, reading_direction) VALUES (${user.id}, ${title}, 'ja', 'rtl') RETURNING id`;
        await sql`INSERT INTO memberships (project_id, user_id, role) VALUES (${p.id}, ${user.id}, 'owner')`;
        const seed = createSeedUpdate({ projectId: p.id, title, language: 'ja', readingDirection: 'rtl', pageFormat: 'B5', sourceText: `${title} の物語` });
        await storeInitialSnapshot(sql, workDocName(p.id), p.id, seed);
        // An edit still in the log (not compacted) must be in the backup too.
        const doc = new Y.Doc();
        Y.applyUpdate(doc, seed);
        const before = Y.encodeStateVector(doc);
        doc.getText('source').insert(0, '追記:');
        await appendUpdates(sql, [{ docName: workDocName(p.id), projectId: p.id, update: Y.encodeStateAsUpdate(doc, before) }]);
        projects.push(p.id);
      }
      await sql`INSERT INTO assets (id, project_id, content_hash, mime, size_bytes, bytes) VALUES ('a1', ${projects[0]}, 'h', 'image/png', 3, ${Buffer.from([1, 2, 3])})`;
      await sql`INSERT INTO audit_log (action, actor_id, details) VALUES ('user.signin', ${user.id}, ${sql.json({ ok: true })})`;

      const file = path.join(dir, 'backup.jsonl.gz');
      const counts = await backupToFile(sql, file);
      expect(counts).toMatchObject({ users: 1, projects: 2, memberships: 2, assets: 1, documents: 2, audit_log: 1 });

      const restored = await restoreFromFile(target.sql, file);
      expect(restored).toMatchObject({ users: 1, projects: 2, documents: 2, assets: 1 });
      for (const id of projects) {
        const state = await loadDocState(target.sql, workDocName(id));
        expect(state).not.toBeNull();
        const doc = new Y.Doc();
        Y.applyUpdate(doc, state!);
        expect(getProjectMeta(doc).projectId).toBe(id);
        expect(getSourceText(doc).startsWith('追記:')).toBe(true);
      }
      const [asset] = await target.sql<{ bytes: Buffer }[]>`SELECT bytes FROM assets WHERE id = 'a1'`;
      expect([...asset.bytes]).toEqual([1, 2, 3]);
      const [audit] = await target.sql<{ details: { ok: boolean } }[]>`SELECT details FROM audit_log`;
      expect(audit.details.ok).toBe(true);

      // Restoring again into a non-empty database is refused and changes nothing.
      await expect(restoreFromFile(target.sql, file)).rejects.toBeInstanceOf(BackupError);

      // A truncated backup is refused as a whole.
      const fresh = await startTestDatabase(kind);
      try {
        const lines = gunzipSync(await readFile(file)).toString('utf8').trim().split('\n');
        const truncated = path.join(dir, 'truncated.jsonl.gz');
        await writeFile(truncated, gzipSync(lines.slice(0, -2).join('\n')));
        await expect(restoreFromFile(fresh.sql, truncated)).rejects.toThrow(/truncated/);
        const [{ n }] = await fresh.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM users`;
        expect(n).toBe(0);
      } finally {
        await fresh.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await source.stop();
      await target.stop();
    }
  });
});
