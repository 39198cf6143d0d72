/**
 * Projects: create (with the document seeded server-side in the same transaction), list,
 * get, delete (everything of the project goes), and the collab token.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { audit } from '../audit';
import { storeInitialSnapshot, deleteProjectDocs } from '../db/docstore';
import { createSeedUpdate } from '../doc/seed';
import { reviewDocName, workDocName } from '../doc/names';
import { COLLAB_TOKEN_TTL_S, signCollabToken, type Role } from '../auth/tokens';
import { jwtSecret } from '../auth/secret';
import { collabPublicUrl, loadConfig } from '../config';
import type { AuthUser } from '../http/auth';
import { CAN, requireProjectRole } from './access';
import { listMembers } from './members';
import { readOnlineOrNull } from './presence';
import { redis } from '../redis/client';
import { revokeLiveAccess } from './revoke';
import type { CreateProjectInput, MemberView, ProjectListItem, ProjectView } from './schemas';
import { validateSourceText } from './source-text';

interface ProjectRow {
  id: string;
  title: string;
  language: 'ja' | 'en';
  reading_direction: 'rtl' | 'ltr';
  page_format: string;
  owner_id: string;
  role: Role;
  created_at: Date;
  updated_at: Date;
  current_phase: string | null;
  cover_asset_id: string | null;
}

function toView(row: ProjectRow): ProjectView {
  return {
    id: row.id,
    title: row.title,
    language: row.language,
    readingDirection: row.reading_direction,
    pageFormat: row.page_format,
    ownerId: row.owner_id,
    role: row.role,
    docName: workDocName(row.id),
    reviewDocName: reviewDocName(row.id),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    currentPhase: row.current_phase ?? null,
    coverAssetId: row.cover_asset_id ?? null,
  };
}

export async function createProject(sql: Db, user: AuthUser, input: CreateProjectInput, ip: string): Promise<ProjectView> {
  const sourceText = validateSourceText(input.sourceText);
  const id = randomUUID();
  // Built before the transaction: a bad init throws here and nothing is written.
  const seed = createSeedUpdate({
    projectId: id,
    title: input.title,
    language: input.language,
    readingDirection: input.readingDirection,
    pageFormat: input.pageFormat,
    sourceText,
  });
  await sql.begin(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await tx`
      INSERT INTO projects (id, owner_id, title, language, reading_direction, page_format)
      VALUES (${id}, ${user.id}, ${input.title}, ${input.language}, ${input.readingDirection}, ${input.pageFormat})`;
    await tx`INSERT INTO memberships (project_id, user_id, role) VALUES (${id}, ${user.id}, 'owner')`;
    await storeInitialSnapshot(tx, workDocName(id), id, seed);
    await audit(tx, { action: 'project.create', actorId: user.id, projectId: id, target: id, ip });
  });
  return getProject(sql, user, id);
}

export async function listProjects(sql: Db, user: AuthUser): Promise<ProjectView[]> {
  const rows = await sql<ProjectRow[]>`
    SELECT p.id, p.title, p.language, p.reading_direction, p.page_format, p.owner_id, p.created_at, p.updated_at, p.current_phase, p.cover_asset_id, m.role
    FROM memberships m JOIN projects p ON p.id = m.project_id
    WHERE m.user_id = ${user.id}
    ORDER BY p.updated_at DESC, p.id`;
  return rows.map(toView);
}

/** The dashboard's list: my projects, each with who is in it now (null when presence cannot be read just now). */
export async function listProjectsWithPresence(sql: Db, user: AuthUser): Promise<ProjectListItem[]> {
  const projects = await listProjects(sql, user);
  const online = await readOnlineOrNull(redis, projects.map((p) => p.id));
  return projects.map((p) => ({ ...p, online: online ? (online.get(p.id) ?? []) : null }));
}

export async function getProject(sql: Db, user: AuthUser, projectId: string): Promise<ProjectView> {
  await requireProjectRole(sql, projectId, user.id, CAN.read);
  const rows = await sql<ProjectRow[]>`
    SELECT p.id, p.title, p.language, p.reading_direction, p.page_format, p.owner_id, p.created_at, p.updated_at, p.current_phase, p.cover_asset_id, m.role
    FROM projects p JOIN memberships m ON m.project_id = p.id AND m.user_id = ${user.id}
    WHERE p.id = ${projectId}`;
  return toView(rows[0]);
}

export async function getProjectWithMembers(sql: Db, user: AuthUser, projectId: string): Promise<ProjectView & { members: MemberView[] }> {
  const project = await getProject(sql, user, projectId);
  return { ...project, members: await listMembers(sql, user, projectId) };
}

/**
 * Delete a project and everything in it. The project row's FKs cascade to memberships, the
 * document log and snapshots, assets and generations; `deleteProjectDocs` then sweeps any
 * document rows stored by name only. The audit row stays: it records the deletion.
 */
export async function deleteProject(sql: Db, user: AuthUser, projectId: string, ip: string): Promise<void> {
  await requireProjectRole(sql, projectId, user.id, CAN.manage);
  await removeProject(sql, projectId, user.id, ip);
}

/** The deletion itself, also used when an account is deleted. */
export async function removeProject(sql: Db, projectId: string, actorId: string, ip: string): Promise<void> {
  const members = await sql<{ user_id: string }[]>`SELECT user_id FROM memberships WHERE project_id = ${projectId}`;
  await sql.begin(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const gone = await tx`DELETE FROM projects WHERE id = ${projectId} RETURNING id`;
    if (gone.length > 0) await audit(tx, { action: 'project.delete', actorId, projectId, target: projectId, ip });
  });
  await deleteProjectDocs(sql, projectId);
  await revokeLiveAccess(projectId, members.map((m) => m.user_id));
}

export async function issueCollabToken(sql: Db, user: AuthUser, projectId: string) {
  const role = await requireProjectRole(sql, projectId, user.id, CAN.read);
  const token = await signCollabToken({ sub: user.id, projectId, role, name: user.name }, jwtSecret());
  return {
    token,
    url: collabPublicUrl(loadConfig()),
    docName: workDocName(projectId),
    reviewDocName: reviewDocName(projectId),
    role,
    expiresIn: COLLAB_TOKEN_TTL_S,
  };
}
