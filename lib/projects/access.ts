/**
 * Who may do what in a project. A non-member gets 404 (the project's existence is not leaked);
 * a member whose role is not enough gets 403. Later routes (phases, jobs, exports) call
 * `requireProjectRole` with the roles their action needs.
 */
import type { Db } from '../db/client';
import type { Role } from '../auth/tokens';
import { forbidden, notFound } from '../http/errors';

export async function projectRole(sql: Db, projectId: string, userId: string): Promise<Role | null> {
  const rows = await sql<{ role: Role }[]>`
    SELECT role FROM memberships WHERE project_id = ${projectId} AND user_id = ${userId}`;
  return rows[0]?.role ?? null;
}

/** Role-sets for common actions, so every route says the same thing about the same action. */
export const CAN = {
  read: ['owner', 'editor', 'reviewer', 'viewer'],
  edit: ['owner', 'editor'],
  review: ['owner', 'editor', 'reviewer'],
  approve: ['owner', 'reviewer'],
  manage: ['owner'],
} as const satisfies Record<string, readonly Role[]>;

export async function requireProjectRole(sql: Db, projectId: string, userId: string, allowed: readonly Role[] = CAN.read): Promise<Role> {
  const role = await projectRole(sql, projectId, userId);
  if (!role) throw notFound('project not found');
  if (!allowed.includes(role)) {
    throw forbidden(`your role in this project (${role}) does not allow this; needs ${allowed.join(' or ')}`);
  }
  return role;
}
