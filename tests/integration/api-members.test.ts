import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../lib/redis/client';
import { REVOCATION_CHANNEL, parseRevocation, type Revocation } from '../../collab-server/revocation';
import { POST as register } from '../../app/api/auth/register/route';
import { POST as createProject } from '../../app/api/projects/route';
import { DELETE as deleteProject, GET as getProject } from '../../app/api/projects/[id]/route';
import { GET as listMembers, POST as addMember } from '../../app/api/projects/[id]/members/route';
import { DELETE as removeMember, PATCH as patchMember } from '../../app/api/projects/[id]/members/[userId]/route';
import { POST as collabToken } from '../../app/api/projects/[id]/collab-token/route';
import { testDbKinds } from '../support/services';
import { call, startApiEnv, uniqueEmail, type ApiEnv } from './api-support';

const kinds = await testDbKinds();

interface TestUser {
  token: string;
  id: string;
  email: string;
}

describe.each(kinds)('members API on %s', (kind) => {
  let env: ApiEnv;
  let owner: TestUser;
  let editor: TestUser;
  let viewer: TestUser;
  let outsider: TestUser;
  let projectId: string;
  const revocations: Revocation[] = [];
  let subscriber: ReturnType<typeof createRedis>;

  async function newUser(name: string): Promise<TestUser> {
    const email = uniqueEmail(name);
    const res = await call(register, { body: { email, password: 'password 1234', name } });
    return { token: res.body.accessToken, id: res.body.user.id, email };
  }

  const add = (as: TestUser, body: unknown, id = projectId) => call(addMember, { token: as.token, body, params: { id } });
  const patch = (as: TestUser, userId: string, body: unknown) =>
    call(patchMember, { method: 'PATCH', token: as.token, body, params: { id: projectId, userId } });
  const remove = (as: TestUser, userId: string) => call(removeMember, { method: 'DELETE', token: as.token, params: { id: projectId, userId } });

  async function waitForRevocation(userId: string): Promise<void> {
    const deadline = Date.now() + 3000;
    while (!revocations.some((r) => r.userId === userId && r.projectId === projectId)) {
      if (Date.now() > deadline) throw new Error(`no revocation for ${userId}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    env = await startApiEnv(kind);
    subscriber = createRedis(process.env.REDIS_URL);
    await subscriber.subscribe(REVOCATION_CHANNEL);
    subscriber.on('message', (_channel: string, raw: string) => {
      const parsed = parseRevocation(raw);
      if (parsed) revocations.push(parsed);
    });
    [owner, editor, viewer, outsider] = await Promise.all([newUser('owner'), newUser('editor'), newUser('viewer'), newUser('outsider')]);
    const res = await call(createProject, {
      token: owner.token,
      body: { title: 'Team', sourceText: 'A story.', language: 'en', readingDirection: 'ltr' },
    });
    projectId = res.body.id;
  });
  afterAll(async () => {
    await subscriber?.quit();
    await env?.stop();
  });

  it('owner adds members by email (201, audited); the project appears for them with their role', async () => {
    const res = await add(owner, { email: editor.email.toUpperCase(), role: 'editor' });
    expect(res.status).toBe(201);
    expect(res.body.member).toMatchObject({ userId: editor.id, role: 'editor', email: editor.email });
    expect((await add(owner, { email: viewer.email, role: 'viewer' })).status).toBe(201);
    const got = await call(getProject, { token: editor.token, params: { id: projectId } });
    expect(got.status).toBe(200);
    expect(got.body.project.role).toBe('editor');
    const list = await call(listMembers, { token: viewer.token, params: { id: projectId } });
    expect(list.status).toBe(200);
    expect(list.body.members.map((m: { role: string }) => m.role).sort()).toEqual(['editor', 'owner', 'viewer']);
    const audit = await env.db.sql`SELECT 1 FROM audit_log WHERE action = 'member.add' AND project_id = ${projectId}`;
    expect(audit.length).toBe(2);
    const token = await call(collabToken, { method: 'POST', token: viewer.token, params: { id: projectId } });
    expect(token.body.role).toBe('viewer');
  });

  it('add: duplicate → 409, unknown email → 404, owner role or bad input → 400', async () => {
    expect((await add(owner, { email: editor.email, role: 'viewer' })).status).toBe(409);
    const unknown = await add(owner, { email: uniqueEmail('nobody'), role: 'viewer' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('user_not_found');
    expect((await add(owner, { email: outsider.email, role: 'owner' })).status).toBe(400);
    expect((await add(owner, { email: outsider.email, role: 'admin' })).status).toBe(400);
    expect((await add(owner, { email: 7, role: 'viewer' })).status).toBe(400);
    expect((await add(owner, { role: 'viewer' })).status).toBe(400);
  });

  it('only the owner manages members: member → 403, outsider → 404, anonymous → 401', async () => {
    const asEditor = await add(editor, { email: outsider.email, role: 'viewer' });
    expect(asEditor.status).toBe(403);
    expect(asEditor.body.error.code).toBe('forbidden');
    expect((await patch(viewer, editor.id, { role: 'viewer' })).status).toBe(403);
    expect((await remove(editor, viewer.id)).status).toBe(403);
    expect((await add(outsider, { email: outsider.email, role: 'editor' })).status).toBe(404);
    expect((await call(listMembers, { token: outsider.token, params: { id: projectId } })).status).toBe(404);
    expect((await call(listMembers, { params: { id: projectId } })).status).toBe(401);
    // Non-owners cannot delete the project either.
    expect((await call(deleteProject, { method: 'DELETE', token: editor.token, params: { id: projectId } })).status).toBe(403);
  });

  it('PATCH changes a role, is audited, and revokes live connections', async () => {
    const res = await patch(owner, editor.id, { role: 'reviewer' });
    expect(res.status).toBe(200);
    expect(res.body.member.role).toBe('reviewer');
    await waitForRevocation(editor.id);
    const [row] = await env.db.sql<{ role: string }[]>`SELECT role FROM memberships WHERE project_id = ${projectId} AND user_id = ${editor.id}`;
    expect(row.role).toBe('reviewer');
    const audit = await env.db.sql<{ details: { from: string; to: string } }[]>`
      SELECT details FROM audit_log WHERE action = 'member.role_change' AND target = ${editor.id}`;
    expect(audit[0].details).toMatchObject({ from: 'editor', to: 'reviewer' });
    const token = await call(collabToken, { method: 'POST', token: editor.token, params: { id: projectId } });
    expect(token.body.role).toBe('reviewer');
  });

  it('PATCH errors: owner role fixed (409), non-member (404), bad role / bad ids (400)', async () => {
    expect((await patch(owner, owner.id, { role: 'viewer' })).status).toBe(409);
    const notMember = await patch(owner, outsider.id, { role: 'viewer' });
    expect(notMember.status).toBe(404);
    expect(notMember.body.error.code).toBe('member_not_found');
    expect((await patch(owner, editor.id, { role: 'owner' })).status).toBe(400);
    expect((await patch(owner, editor.id, {})).status).toBe(400);
    expect((await patch(owner, 'not-a-uuid', { role: 'viewer' })).status).toBe(400);
  });

  it('DELETE removes a member (204, audited, revoked); the project is then 404 for them', async () => {
    const res = await remove(owner, viewer.id);
    expect(res.status).toBe(204);
    await waitForRevocation(viewer.id);
    expect((await call(getProject, { token: viewer.token, params: { id: projectId } })).status).toBe(404);
    expect((await call(collabToken, { method: 'POST', token: viewer.token, params: { id: projectId } })).status).toBe(404);
    expect((await remove(owner, viewer.id)).status).toBe(404);
    expect((await remove(owner, owner.id)).status).toBe(409);
    const audit = await env.db.sql`SELECT 1 FROM audit_log WHERE action = 'member.remove' AND target = ${viewer.id}`;
    expect(audit.length).toBe(1);
  });

  it('a member may leave on their own', async () => {
    expect((await remove(editor, editor.id)).status).toBe(204);
    expect((await call(getProject, { token: editor.token, params: { id: projectId } })).status).toBe(404);
  });
});
