/**
 * GDPR: a user can take all their data with them (export) and delete their account (and the
 * projects they own, with every document, asset and generation in them).
 */
import * as Y from 'yjs';
import type { Db } from '../db/client';
import { audit } from '../audit';
import { loadDocState } from '../db/docstore';
import { getSourceText } from '../doc/project-doc';
import { reviewDocName, workDocName } from '../doc/names';
import type { AuthUser } from '../http/auth';
import { unauthorized } from '../http/errors';
import { listProjects, removeProject } from '../projects/service';
import { verifyPassword } from './password';

function base64(bytes: Uint8Array | null): string | null {
  return bytes ? Buffer.from(bytes).toString('base64') : null;
}

function sourceOf(state: Uint8Array | null): string | null {
  if (!state) return null;
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    return getSourceText(doc);
  } finally {
    doc.destroy();
  }
}

export async function exportAccount(sql: Db, user: AuthUser, ip: string) {
  const [account] = await sql<{ id: string; email: string; name: string; created_at: Date }[]>`
    SELECT id, email, name, created_at FROM users WHERE id = ${user.id}`;
  const projects = await listProjects(sql, user);
  const owned = [];
  for (const p of projects.filter((x) => x.role === 'owner')) {
    const work = await loadDocState(sql, workDocName(p.id));
    const review = await loadDocState(sql, reviewDocName(p.id));
    const assets = await sql<{ id: string; mime: string; size_bytes: number; content_hash: string; created_at: Date }[]>`
      SELECT id, mime, size_bytes, content_hash, created_at FROM assets WHERE project_id = ${p.id} ORDER BY created_at`;
    owned.push({
      ...p,
      sourceText: sourceOf(work),
      // The complete Yjs documents, loadable with Y.applyUpdate.
      workDocument: base64(work),
      reviewDocument: base64(review),
      assets: assets.map((a) => ({ id: a.id, mime: a.mime, sizeBytes: a.size_bytes, contentHash: a.content_hash, createdAt: new Date(a.created_at).toISOString() })),
    });
  }
  const sessions = await sql<{ family_id: string; created_at: Date; expires_at: Date; used_at: Date | null; revoked_at: Date | null }[]>`
    SELECT family_id, created_at, expires_at, used_at, revoked_at FROM refresh_tokens WHERE user_id = ${user.id} ORDER BY created_at`;
  const events = await sql<{ at: Date; action: string; project_id: string | null; target: string | null; ip: string | null; details: unknown }[]>`
    SELECT at, action, project_id, target, ip, details FROM audit_log WHERE actor_id = ${user.id} ORDER BY id`;
  await audit(sql, { action: 'account.export', actorId: user.id, target: user.id, ip });
  return {
    exportedAt: new Date().toISOString(),
    user: { id: account.id, email: account.email, name: account.name, createdAt: new Date(account.created_at).toISOString() },
    memberships: projects.map((p) => ({ projectId: p.id, title: p.title, role: p.role })),
    ownedProjects: owned,
    sessions: sessions.map((s) => ({
      familyId: s.family_id,
      createdAt: new Date(s.created_at).toISOString(),
      expiresAt: new Date(s.expires_at).toISOString(),
      usedAt: s.used_at ? new Date(s.used_at).toISOString() : null,
      revokedAt: s.revoked_at ? new Date(s.revoked_at).toISOString() : null,
    })),
    auditLog: events.map((e) => ({ at: new Date(e.at).toISOString(), action: e.action, projectId: e.project_id, target: e.target, ip: e.ip, details: e.details })),
  };
}

/** Delete the account after re-checking the password (a stolen access token alone is not enough). */
export async function deleteAccount(sql: Db, user: AuthUser, password: string, ip: string): Promise<void> {
  const [row] = await sql<{ password_hash: string }[]>`SELECT password_hash FROM users WHERE id = ${user.id}`;
  if (!row || !(await verifyPassword(row.password_hash, password))) {
    throw unauthorized('invalid_credentials', 'the password is wrong; the account was not deleted');
  }
  const owned = await sql<{ id: string }[]>`SELECT id FROM projects WHERE owner_id = ${user.id}`;
  for (const p of owned) await removeProject(sql, p.id, user.id, ip);
  // Memberships in other projects and refresh tokens go with the user row (FK cascade).
  await sql`DELETE FROM users WHERE id = ${user.id}`;
  await audit(sql, { action: 'account.delete', actorId: user.id, target: user.id, ip });
}
