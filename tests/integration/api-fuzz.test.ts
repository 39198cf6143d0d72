/**
 * Property-based fuzzing of the HTTP API with a fixed seed (longer with KOMA_FUZZ_RUNS):
 * arbitrary JSON, arbitrary strings and hostile bytes against every write endpoint and every
 * route parameter. Never a 5xx, and a rejected request changes no row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { POST as register } from '../../app/api/auth/register/route';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as refresh } from '../../app/api/auth/refresh/route';
import { POST as createProject } from '../../app/api/projects/route';
import { GET as getProject } from '../../app/api/projects/[id]/route';
import { POST as addMember } from '../../app/api/projects/[id]/members/route';
import { PATCH as patchMember } from '../../app/api/projects/[id]/members/[userId]/route';
import { testDbKinds } from '../support/services';
import { call, startApiEnv, uniqueEmail, type ApiEnv } from './api-support';

const kinds = await testDbKinds();
const RUNS = Number(process.env.KOMA_FUZZ_RUNS ?? 60);
const SEED = Number(process.env.KOMA_FUZZ_SEED ?? 20261124);

/** Bodies shaped like the real ones, with each field replaced by anything at random. */
function shaped(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const hostileString = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', ' ', '\u0000', '\uD800', "'; DROP TABLE users; --", '<script>', 'x'.repeat(5000), '__proto__'),
  );
  const anything = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue());
  const record = fc.record(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fc.oneof(v, anything)])), { requiredKeys: [] });
  return fc.oneof({ weight: 4, arbitrary: record }, { weight: 1, arbitrary: fc.jsonValue() });
}

async function counts(env: ApiEnv): Promise<string> {
  const [row] = await env.db.sql<{ c: string }[]>`
    SELECT (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM projects) || '/' ||
           (SELECT count(*) FROM memberships) || '/' || (SELECT count(*) FROM doc_snapshots) AS c`;
  return row.c;
}

describe.each(kinds)('API fuzz on %s', (kind) => {
  let env: ApiEnv;
  let token: string;
  let projectId: string;
  let memberId: string;
  beforeAll(async () => {
    env = await startApiEnv(kind);
    const owner = await call(register, { body: { email: uniqueEmail('fuzz'), password: 'password 1234', name: 'Fuzz' } });
    token = owner.body.accessToken;
    const member = await call(register, { body: { email: uniqueEmail('fuzzm'), password: 'password 1234', name: 'M' } });
    memberId = member.body.user.id;
    const p = await call(createProject, { token, body: { title: 'F', sourceText: 'story', language: 'en', readingDirection: 'ltr' } });
    projectId = p.body.id;
    await call(addMember, { token, body: { email: member.body.user.email, role: 'viewer' }, params: { id: projectId } });
  });
  afterAll(async () => {
    await env?.stop();
  });

  const opts = { numRuns: RUNS, seed: SEED };

  it('POST /api/projects: never 5xx; a rejected request creates nothing', async () => {
    const body = shaped({
      title: fc.string({ maxLength: 210 }),
      sourceText: fc.string({ maxLength: 300 }),
      language: fc.constantFrom('ja', 'en', 'fr'),
      readingDirection: fc.constantFrom('rtl', 'ltr'),
      pageFormat: fc.constantFrom('B5', 'A5', 'B6', 'US', 'A4'),
    });
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const before = await counts(env);
        const res = await call(createProject, { token, body: b });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.body.error.code).toEqual(expect.any(String));
          expect(await counts(env)).toBe(before);
        }
      }),
      opts,
    );
  });

  it('auth endpoints: never 5xx; rejected register creates no user', async () => {
    const creds = shaped({ email: fc.emailAddress(), password: fc.string({ maxLength: 300 }), name: fc.string({ maxLength: 120 }) });
    await fc.assert(
      fc.asyncProperty(creds, async (b) => {
        const before = await counts(env);
        const r = await call(register, { body: b });
        expect(r.status).toBeLessThan(500);
        if (r.status >= 400) expect(await counts(env)).toBe(before);
        expect((await call(login, { body: b })).status).toBeLessThan(500);
        expect((await call(refresh, { body: b })).status).toBeLessThan(500);
      }),
      opts,
    );
  });

  it('members and params: never 5xx; rejected changes leave memberships alone', async () => {
    const body = shaped({ email: fc.emailAddress(), role: fc.constantFrom('owner', 'editor', 'reviewer', 'viewer', 'admin') });
    const id = fc.oneof(fc.string(), fc.uuid(), fc.constant(projectId), fc.constant(projectId.toUpperCase()));
    await fc.assert(
      fc.asyncProperty(body, id, async (b, pid) => {
        const before = await counts(env);
        const added = await call(addMember, { token, body: b, params: { id: pid } });
        expect(added.status).toBeLessThan(500);
        if (added.status >= 400) expect(await counts(env)).toBe(before);
        expect((await call(patchMember, { method: 'PATCH', token, body: b, params: { id: pid, userId: memberId } })).status).toBeLessThan(500);
        expect((await call(getProject, { token, params: { id: pid } })).status).toBeLessThan(500);
      }),
      opts,
    );
  });

  it('raw hostile bytes and headers: never 5xx', async () => {
    const bytes = fc.uint8Array({ maxLength: 2000 });
    const type = fc.constantFrom('application/json', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'text/plain', '', 'application/json; charset=latin1');
    const auth = fc.oneof(fc.constant(`Bearer ${token}`), fc.string(), fc.constant('Bearer '), fc.constant('Bearer a.b.c'));
    await fc.assert(
      fc.asyncProperty(bytes, type, auth, async (raw, contentType, authorization) => {
        const headers: Record<string, string> = { authorization };
        if (contentType) headers['content-type'] = contentType;
        const res = await call(createProject, { method: 'POST', rawBody: raw, headers });
        expect(res.status).toBeLessThan(500);
      }),
      opts,
    );
  });
});
