/**
 * Audit log rows for security-relevant events (sign-in, membership changes, deletions).
 * Rows outlive the project or account they mention: they record that it was deleted.
 */
import type { Db } from './db/client';

export type AuditAction =
  | 'auth.register'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.refresh_reuse'
  | 'auth.logout'
  | 'project.create'
  | 'project.delete'
  | 'member.add'
  | 'member.role_change'
  | 'member.remove'
  | 'account.export'
  | 'account.delete';

export interface AuditEntry {
  action: AuditAction;
  actorId?: string | null;
  projectId?: string | null;
  /** What was acted on: a user id, an email, a token family. Never a secret. */
  target?: string | null;
  ip?: string | null;
  details?: Record<string, string | number | boolean | null>;
}

export async function audit(sql: Db, entry: AuditEntry): Promise<void> {
  await sql`
    INSERT INTO audit_log (actor_id, action, project_id, target, ip, details)
    VALUES (${entry.actorId ?? null}, ${entry.action}, ${entry.projectId ?? null}, ${entry.target ?? null},
            ${entry.ip ?? null}, ${sql.json(entry.details ?? {})})`;
}
