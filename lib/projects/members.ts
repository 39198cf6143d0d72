/**
 * Project membership: list (any member), add / change role / remove (owner only; a member may
 * also leave). Every change is audited and closes the member's live collab connections.
 */
import type { Db } from '../db/client';
import { audit } from '../audit';
import type { Role } from '../auth/tokens';
import type { AuthUser } from '../http/auth';
import { HttpError, conflict, notFound } from '../http/errors';
import { CAN, requireProjectRole } from './access';
import { revokeLiveAccess } from './revoke';
import type { MemberView } from './schemas';

interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: Date;
}

const toView = (r: MemberRow): MemberView => ({
  userId: r.user_id,
  email: r.email,
  name: r.name,
  role: r.role,
  createdAt: new Date(r.created_at).toISOString(),
});

export async function listMembers(sql: Db, user: AuthUser, projectId: string): Promise<MemberView[]> {
  await requireProjectRole(sql, projectId, user.id, CAN.read);
  const rows = await sql<MemberRow[]>`
    SELECT m.user_id, u.email, u.name, m.role, m.created_at
    FROM memberships m JOIN users u ON u.id = m.user_id
    WHERE m.project_id = ${projectId}
    ORDER BY m.created_at, u.email`;
  return rows.map(toView);
}

async function memberRow(sql: Db, projectId: string, userId: string): Promise<MemberRow | undefined> {
  const rows = await sql<MemberRow[]>`
    SELECT m.user_id, u.email, u.name, m.role, m.created_at
    FROM memberships m JOIN users u ON u.id = m.user_id
    WHERE m.project_id = ${projectId} AND m.user_id = ${userId}`;
  return rows[0];
}

export async function addMember(sql: Db, user: AuthUser, projectId: string, input: { email: string; role: Role }, ip: string): Promise<MemberView> {
  await requireProjectRole(sql, projectId, user.id, CAN.manage);
  const users = await sql<{ id: string }[]>`SELECT id FROM users WHERE lower(email) = ${input.email.toLowerCase()}`;
  if (users.length === 0) {
    throw new HttpError(404, 'user_not_found', 'no account has this email; ask them to register first');
  }
  const target = users[0].id;
  const inserted = await sql`
    INSERT INTO memberships (project_id, user_id, role) VALUES (${projectId}, ${target}, ${input.role})
    ON CONFLICT (project_id, user_id) DO NOTHING RETURNING user_id`;
  if (inserted.length === 0) throw conflict('already_member', 'this person is already a member of the project; change their role instead');
  await audit(sql, { action: 'member.add', actorId: user.id, projectId, target, ip, details: { role: input.role } });
  const row = await memberRow(sql, projectId, target);
  if (!row) throw notFound('member not found');
  return toView(row);
}

export async function changeMemberRole(sql: Db, user: AuthUser, projectId: string, targetId: string, role: Role, ip: string): Promise<MemberView> {
  await requireProjectRole(sql, projectId, user.id, CAN.manage);
  const current = await memberRow(sql, projectId, targetId);
  if (!current) throw new HttpError(404, 'member_not_found', 'this user is not a member of the project');
  if (current.role === 'owner') throw conflict('owner_role_fixed', "the owner's role cannot be changed");
  if (current.role !== role) {
    await sql`UPDATE memberships SET role = ${role} WHERE project_id = ${projectId} AND user_id = ${targetId}`;
    await audit(sql, { action: 'member.role_change', actorId: user.id, projectId, target: targetId, ip, details: { from: current.role, to: role } });
    // Any change re-authorises their sockets: a demoted editor must not keep writing.
    await revokeLiveAccess(projectId, [targetId]);
  }
  return toView({ ...current, role });
}

export async function removeMember(sql: Db, user: AuthUser, projectId: string, targetId: string, ip: string): Promise<void> {
  const leaving = targetId === user.id;
  const myRole = await requireProjectRole(sql, projectId, user.id, leaving ? CAN.read : CAN.manage);
  const current = await memberRow(sql, projectId, targetId);
  if (!current) throw new HttpError(404, 'member_not_found', 'this user is not a member of the project');
  if (current.role === 'owner') {
    throw conflict('owner_cannot_leave', myRole === 'owner' ? 'the owner cannot be removed; delete the project instead' : 'the owner cannot be removed');
  }
  await sql`DELETE FROM memberships WHERE project_id = ${projectId} AND user_id = ${targetId}`;
  await audit(sql, { action: 'member.remove', actorId: user.id, projectId, target: targetId, ip, details: { role: current.role } });
  await revokeLiveAccess(projectId, [targetId]);
}
