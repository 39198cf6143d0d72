/**
 * The web API and the collab-server together: a project created over HTTP is seeded so a
 * provider using the API's collab token sees the story; a member removed over HTTP loses their
 * live connection (revocation through Redis); a demoted editor can no longer write.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollabServer, type CollabServer } from '../../collab-server/server';
import { POST as register } from '../../app/api/auth/register/route';
import { POST as createProject } from '../../app/api/projects/route';
import { DELETE as deleteProject } from '../../app/api/projects/[id]/route';
import { POST as addMember } from '../../app/api/projects/[id]/members/route';
import { DELETE as removeMember, PATCH as patchMember } from '../../app/api/projects/[id]/members/[userId]/route';
import { POST as collabToken } from '../../app/api/projects/[id]/collab-token/route';
import { getSourceText } from '../../lib/doc/project-doc';
import { testDbKinds } from '../support/services';
import { TEST_SECRET, call, startApiEnv, uniqueEmail, type ApiEnv } from './api-support';
import { connect, synced, testLog, waitFor, type Client } from './collab-support';

const kinds = await testDbKinds();
const kasa = await readFile('/work/shared/fixtures/stories/ja-kasa.txt', 'utf8');

describe.each(kinds)('API + collab-server on %s', (kind) => {
  let env: ApiEnv;
  let server: CollabServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    env = await startApiEnv(kind);
    server = await startCollabServer({ sql: env.db.sql, secret: TEST_SECRET, redisUrl: process.env.REDIS_URL, port: 0, log: testLog, membershipSweepMs: 0 });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    await env?.stop();
  });

  async function user(name: string) {
    const email = uniqueEmail(name);
    const res = await call(register, { body: { email, password: 'password 1234', name } });
    return { token: res.body.accessToken as string, id: res.body.user.id as string, email };
  }

  async function open(accessToken: string, projectId: string): Promise<{ client: Client; role: string }> {
    const t = await call(collabToken, { method: 'POST', token: accessToken, params: { id: projectId } });
    expect(t.status).toBe(200);
    // The API hands out the public URL; the test server listens on its own port.
    const client = connect(server.url, t.body.docName, t.body.token, { reconnect: false });
    clients.push(client);
    return { client, role: t.body.role };
  }

  it('a project created over HTTP opens on the collab-server with the story in it; revocation closes a removed member', async () => {
    const owner = await user('owner');
    const editor = await user('editor');
    const created = await call(createProject, { token: owner.token, body: { title: '傘を返しに', sourceText: kasa, language: 'ja', readingDirection: 'rtl' } });
    expect(created.status).toBe(201);
    const projectId: string = created.body.id;
    expect((await call(addMember, { token: owner.token, body: { email: editor.email, role: 'editor' }, params: { id: projectId } })).status).toBe(201);

    const mine = await open(owner.token, projectId);
    await synced(mine.client);
    expect(getSourceText(mine.client.doc)).toBe(kasa);
    expect(mine.client.doc.getMap('meta').get('projectId')).toBe(projectId);

    const theirs = await open(editor.token, projectId);
    expect(theirs.role).toBe('editor');
    await synced(theirs.client);
    expect(getSourceText(theirs.client.doc)).toBe(kasa);

    // Demote: the live connection is re-authorised (closed); then remove entirely.
    expect((await call(patchMember, { method: 'PATCH', token: owner.token, body: { role: 'viewer' }, params: { id: projectId, userId: editor.id } })).status).toBe(200);
    await waitFor(() => theirs.client.events.closes.length > 0, 10_000, 'demoted editor connection to close');

    expect((await call(removeMember, { method: 'DELETE', token: owner.token, params: { id: projectId, userId: editor.id } })).status).toBe(204);
    // A removed member cannot get a token any more...
    expect((await call(collabToken, { method: 'POST', token: editor.token, params: { id: projectId } })).status).toBe(404);
    // ...and the owner's connection was never disturbed.
    expect(mine.client.events.closes.length).toBe(0);

    // Deleting the project closes everyone still connected, and nothing of it stays stored.
    expect((await call(deleteProject, { method: 'DELETE', token: owner.token, params: { id: projectId } })).status).toBe(204);
    await waitFor(() => mine.client.events.closes.length > 0, 10_000, 'owner connection to close on delete');
    await new Promise((r) => setTimeout(r, 300));
    const left = await env.db.sql`
      SELECT 1 FROM doc_updates WHERE doc_name LIKE ${'project:' + projectId + '%'}
      UNION ALL SELECT 1 FROM doc_snapshots WHERE doc_name LIKE ${'project:' + projectId + '%'}`;
    expect(left.length).toBe(0);
  });
});
