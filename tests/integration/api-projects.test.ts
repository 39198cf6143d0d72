import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { POST as register } from '../../app/api/auth/register/route';
import { GET as listProjects, POST as createProject } from '../../app/api/projects/route';
import { DELETE as deleteProject, GET as getProject } from '../../app/api/projects/[id]/route';
import { POST as collabToken } from '../../app/api/projects/[id]/collab-token/route';
import { verifyCollabToken } from '../../lib/auth/tokens';
import { loadDocState, appendUpdates } from '../../lib/db/docstore';
import { getSourceText } from '../../lib/doc/project-doc';
import { testDbKinds } from '../support/services';
import { TEST_SECRET, call, startApiEnv, uniqueEmail, type ApiEnv } from './api-support';

const kinds = await testDbKinds();
const FIXTURES = '/work/shared/fixtures/stories';
const kasa = await readFile(`${FIXTURES}/ja-kasa.txt`, 'utf8');

describe.each(kinds)('projects API on %s', (kind) => {
  let env: ApiEnv;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };

  async function newUser(name: string) {
    const res = await call(register, { body: { email: uniqueEmail(name), password: 'password 1234', name } });
    expect(res.status).toBe(201);
    return { token: res.body.accessToken as string, id: res.body.user.id as string };
  }

  const base = { title: '傘を返しに', language: 'ja', readingDirection: 'rtl' };

  async function create(token: string, body: Record<string, unknown> = { ...base, sourceText: kasa }) {
    return call(createProject, { token, body });
  }

  beforeAll(async () => {
    env = await startApiEnv(kind);
    alice = await newUser('alice');
    bob = await newUser('bob');
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('creates a project from ja-kasa.txt: 201, owner membership, seeded document, audit', async () => {
    const res = await create(alice.token);
    expect(res.status).toBe(201);
    const { id, docName } = res.body;
    expect(docName).toBe(`project:${id}`);
    expect(res.body.reviewDocName).toBe(`project:${id}:review`);
    expect(res.body.project).toMatchObject({ title: '傘を返しに', language: 'ja', readingDirection: 'rtl', pageFormat: 'B5', role: 'owner' });
    expect(res.headers.get('location')).toBe(`/api/projects/${id}`);
    const state = await loadDocState(env.db.sql, docName);
    expect(state).not.toBeNull();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state!);
    expect(getSourceText(doc)).toBe(kasa);
    expect(doc.getMap('meta').get('projectId')).toBe(id);
    const audit = await env.db.sql`SELECT 1 FROM audit_log WHERE action = 'project.create' AND project_id = ${id}`;
    expect(audit.length).toBe(1);
  });

  it('accepts multipart uploads (curl -F sourceText=@file) and the injection fixture as plain story text', async () => {
    const form = new FormData();
    form.set('title', 'Lighthouse');
    form.set('language', 'en');
    form.set('readingDirection', 'ltr');
    form.set('pageFormat', 'US');
    form.set('sourceText', new Blob([await readFile(`${FIXTURES}/en-lighthouse.txt`)]), 'en-lighthouse.txt');
    const res = await call(createProject, { token: alice.token, method: 'POST', rawBody: form });
    expect(res.status).toBe(201);
    expect(res.body.project.pageFormat).toBe('US');

    const injection = await readFile(`${FIXTURES}/bad/injection.txt`, 'utf8');
    const inj = await create(alice.token, { ...base, title: '<script>alert(1)</script>', sourceText: injection });
    expect(inj.status).toBe(201);
    const state = await loadDocState(env.db.sql, inj.body.docName);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state!);
    expect(getSourceText(doc)).toBe(injection);
    const [row] = await env.db.sql<{ title: string }[]>`SELECT title FROM projects WHERE id = ${inj.body.id}`;
    expect(row.title).toBe('<script>alert(1)</script>');
  });

  it('rejects the bad fixtures with 400 saying which, and writes nothing', async () => {
    const before = await env.db.sql<{ n: string }[]>`SELECT count(*)::text AS n FROM projects`;
    const binaryBytes = await readFile(`${FIXTURES}/bad/binary.bin`);
    const cases: Array<[string, unknown, string]> = [
      ['empty.txt', await readFile(`${FIXTURES}/bad/empty.txt`, 'utf8'), 'source_text_empty'],
      ['whitespace.txt', await readFile(`${FIXTURES}/bad/whitespace.txt`, 'utf8'), 'source_text_blank'],
      ['binary.bin decoded lossily', binaryBytes.toString('utf8'), 'source_text_binary'],
      ['binary.bin as latin1', binaryBytes.toString('latin1'), 'source_text_binary'],
      ['oversized', 'あ'.repeat(200_001), 'source_text_too_long'],
    ];
    for (const [label, sourceText, code] of cases) {
      const res = await create(alice.token, { ...base, sourceText });
      expect(res.status, label).toBe(400);
      expect(res.body.error.code, label).toBe(code);
      expect(res.body.error.message, label).toMatch(/sourceText/);
    }
    // Exactly at the limit is fine.
    expect((await create(alice.token, { ...base, sourceText: 'あ'.repeat(200_000) })).status).toBe(201);

    // The binary file uploaded as a file: strict UTF-8 decoding catches it.
    const form = new FormData();
    for (const [k, v] of Object.entries(base)) form.set(k, v);
    form.set('sourceText', new Blob([binaryBytes]), 'binary.bin');
    const upload = await call(createProject, { token: alice.token, method: 'POST', rawBody: form });
    expect(upload.status).toBe(400);
    expect(upload.body.error.code).toBe('source_text_binary');

    const emptyForm = new FormData();
    for (const [k, v] of Object.entries(base)) emptyForm.set(k, v);
    emptyForm.set('sourceText', new Blob([]), 'empty.txt');
    const emptyUpload = await call(createProject, { token: alice.token, method: 'POST', rawBody: emptyForm });
    expect(emptyUpload.body.error.code).toBe('source_text_empty');

    const after = await env.db.sql<{ n: string }[]>`SELECT count(*)::text AS n FROM projects`;
    expect(Number(after[0].n)).toBe(Number(before[0].n) + 1);
  });

  it.each([
    ['missing sourceText', { ...base }],
    ['number sourceText', { ...base, sourceText: 12 }],
    ['bad language', { ...base, language: 'fr', sourceText: 'x' }],
    ['bad direction', { ...base, readingDirection: 'ttb', sourceText: 'x' }],
    ['bad page format', { ...base, pageFormat: 'A4', sourceText: 'x' }],
    ['blank title', { ...base, title: ' ', sourceText: 'x' }],
    ['long title', { ...base, title: 't'.repeat(201), sourceText: 'x' }],
    ['object title', { ...base, title: { a: 1 }, sourceText: 'x' }],
  ])('create rejects %s with 400', async (_label, body) => {
    const res = await create(alice.token, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('create needs auth', async () => {
    const res = await call(createProject, { body: { ...base, sourceText: 'x' } });
    expect(res.status).toBe(401);
  });

  it('lists only my projects, with my role; get returns members', async () => {
    const mine = await create(bob.token, { ...base, title: 'Bob only', sourceText: 'ボブの話。' });
    const list = await call(listProjects, { token: bob.token });
    expect(list.status).toBe(200);
    expect(list.body.projects.map((p: { id: string }) => p.id)).toEqual([mine.body.id]);
    expect(list.body.projects[0].role).toBe('owner');
    const aliceList = await call(listProjects, { token: alice.token });
    expect(aliceList.body.projects.some((p: { id: string }) => p.id === mine.body.id)).toBe(false);

    const got = await call(getProject, { token: bob.token, params: { id: mine.body.id } });
    expect(got.status).toBe(200);
    expect(got.body.project.members).toHaveLength(1);
    expect(got.body.project.members[0]).toMatchObject({ userId: bob.id, role: 'owner' });
    // Upper-case spelling of the id is the same project.
    const upper = await call(getProject, { token: bob.token, params: { id: mine.body.id.toUpperCase() } });
    expect(upper.status).toBe(200);
    expect(upper.body.project.id).toBe(mine.body.id);
  });

  it("another user's project is 404 (existence not leaked) for get, delete and collab-token; bad ids are 400", async () => {
    const theirs = await create(bob.token, { ...base, sourceText: '秘密。' });
    const id = theirs.body.id;
    const unknown = '5f1d7c2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f';
    for (const target of [id, unknown]) {
      expect((await call(getProject, { token: alice.token, params: { id: target } })).status).toBe(404);
      expect((await call(deleteProject, { method: 'DELETE', token: alice.token, params: { id: target } })).status).toBe(404);
      expect((await call(collabToken, { method: 'POST', token: alice.token, params: { id: target } })).status).toBe(404);
    }
    const bad = await call(getProject, { token: alice.token, params: { id: "1' OR '1'='1" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_parameter');
    expect((await call(getProject, { params: { id } })).status).toBe(401);
    const still = await env.db.sql`SELECT 1 FROM projects WHERE id = ${id}`;
    expect(still.length).toBe(1);
  });

  it('issues a collab token carrying user, project and role', async () => {
    const p = await create(alice.token);
    const res = await call(collabToken, { method: 'POST', token: alice.token, params: { id: p.body.id } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ url: 'ws://collab.test:1234', docName: `project:${p.body.id}`, reviewDocName: `project:${p.body.id}:review`, role: 'owner' });
    const claims = await verifyCollabToken(res.body.token, TEST_SECRET);
    expect(claims).toMatchObject({ sub: alice.id, projectId: p.body.id, role: 'owner' });
  });

  it('delete (owner): 204 and nothing of the project is left; audit row kept', async () => {
    const p = await create(alice.token);
    const id: string = p.body.id;
    await appendUpdates(env.db.sql, [{ docName: p.body.docName, projectId: id, update: new Uint8Array([0, 0]) }]);
    await env.db.sql`INSERT INTO assets (id, project_id, content_hash, mime, size_bytes, bytes) VALUES (${'a-' + id}, ${id}, 'h', 'image/png', 1, ${Buffer.from([1])})`;
    await env.db.sql`INSERT INTO generations (project_id, phase, provider, model, prompt_hash, outcome) VALUES (${id}, 'concept', 'offline', 'm', 'p', 'ok')`;
    const res = await call(deleteProject, { method: 'DELETE', token: alice.token, params: { id } });
    expect(res.status).toBe(204);
    for (const table of ['projects', 'memberships', 'assets', 'generations']) {
      const column = table === 'projects' ? 'id' : 'project_id';
      const rows = await env.db.sql.unsafe(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [id]);
      expect(rows.length, table).toBe(0);
    }
    const docs = await env.db.sql`
      SELECT 1 FROM doc_updates WHERE doc_name LIKE ${'project:' + id + '%'}
      UNION ALL SELECT 1 FROM doc_snapshots WHERE doc_name LIKE ${'project:' + id + '%'}`;
    expect(docs.length).toBe(0);
    const audit = await env.db.sql`SELECT 1 FROM audit_log WHERE action = 'project.delete' AND project_id = ${id}`;
    expect(audit.length).toBe(1);
    expect((await call(getProject, { token: alice.token, params: { id } })).status).toBe(404);
    expect((await call(deleteProject, { method: 'DELETE', token: alice.token, params: { id } })).status).toBe(404);
  });
});
