/**
 * Property-based fuzzing of the whole HTTP API, driven by the OpenAPI document: for EVERY
 * operation it describes, requests are generated from the operation's own schemas (path and
 * query parameters, JSON and multipart bodies), then bent — fields replaced by anything, hostile
 * strings, raw bytes under any content type, tokens of every role, of no one, or garbage.
 *
 * Properties: never a 5xx; a rejected (4xx) request answers {error:{code,message}} and changes
 * no record — users, refresh tokens, projects, memberships, assets, generations, the set of
 * documents and the content of the fixture project's documents are byte-for-byte as before, and
 * the audit log grows only by the entries a rejection is meant to leave (a failed login).
 * Also asserted: the OpenAPI document and the route files describe the same operations, so a new
 * route cannot escape the fuzz.
 *
 * Fixed seed; FUZZ_RUNS=<runs per operation> and FUZZ_SEED=<n> run it longer (npm run fuzz).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import sharp from 'sharp';
import * as Y from 'yjs';
import { putAsset } from '../../lib/assets/store';
import { applyStoredDoc, loadDoc, reviewDocName, workDocName } from '../../lib/db/docstore';
import { allOperations, openApiDocument } from '../../lib/openapi/document';
import type { ApiOperation } from '../../lib/openapi/types';
import type { NextRouteContext } from '../../lib/http/handler';
import { testDbKinds } from '../support/services';
import { call, uniqueEmail } from './api-support';
import { routes, startStack, type Stack } from './pipeline-support';

const kinds = await testDbKinds();
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const PASSWORD = 'password 1234';
/** Audit entries a rejected request is meant to leave (lib/auth/service.ts). */
const AUDITED_REJECTIONS = new Set(['auth.login_failed', 'auth.refresh_reuse']);

type Handler = (req: Request, context?: NextRouteContext) => Promise<Response>;
type JsonSchema = { [k: string]: unknown };

// ---- route files ↔ OpenAPI -----------------------------------------------------------------------
const API_DIR = path.resolve(import.meta.dirname, '../../app/api');

/** `/api/projects/{id}` → the route module exporting its handlers. */
async function routeModule(apiPath: string): Promise<Record<string, unknown>> {
  const rel = apiPath.replace(/^\/api\//, '').replace(/\{(\w+)\}/g, '[$1]');
  return (await import(/* @vite-ignore */ path.join(API_DIR, rel, 'route.ts'))) as Record<string, unknown>;
}

/** Every (METHOD, /api/path) the route files export, except the catch-all 404 and CORS preflight. */
async function routeFileOperations(): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name === 'route.ts') {
        const rel = path.relative(API_DIR, path.dirname(full));
        if (rel.startsWith('[...')) continue;
        const apiPath = `/api/${rel.split(path.sep).join('/')}`.replace(/\[(\w+)\]/g, '{$1}');
        const source = await readFile(full, 'utf8');
        for (const m of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) found.push(`${m[1]} ${apiPath}`);
      }
    }
  }
  await walk(API_DIR);
  return found.sort();
}

// ---- arbitraries from the OpenAPI schemas ---------------------------------------------------------
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', "'; DROP TABLE users; --", '<script>alert(1)</script>', '../../etc/passwd', '%00', 'x'.repeat(5000), '__proto__', 'constructor', 'NaN', '-1', '1e999'),
);
const anything: fc.Arbitrary<unknown> = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue(), fc.constant({ __proto__: { admin: true } }));

/** Values that satisfy (mostly) a JSON schema as zod emits it. */
function fromSchema(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) return fc.oneof(...(schema[key] as JsonSchema[]).map(fromSchema));
  }
  switch (schema.type) {
    case 'string': {
      if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'email') return fc.emailAddress();
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const maxLength = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 300, 300);
      return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
    }
    case 'integer':
      return fc.integer({ min: typeof schema.minimum === 'number' ? schema.minimum : -(2 ** 31), max: typeof schema.maximum === 'number' ? Math.min(schema.maximum, 2 ** 31 - 1) : 2 ** 31 - 1 });
    case 'number':
      return fc.double({ noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schema.items ? fromSchema(schema.items as JsonSchema) : anything, { maxLength: 5 });
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fromSchema(v)])), { requiredKeys: [...required].filter((k) => k in props) });
    }
    default:
      return anything;
  }
}

/** A body shaped by the schema, each field sometimes replaced by anything; sometimes not shaped at all. */
function bodyArbitrary(schema: JsonSchema, known: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = ((schema.required as string[] | undefined) ?? []).filter((k) => k in props);
  const fields = Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k, fc.oneof({ weight: 4, arbitrary: known[k] ? fc.oneof(known[k], fromSchema(v)) : fromSchema(v) }, { weight: 1, arbitrary: anything })]),
  );
  const shaped = fc.record(fields, { requiredKeys: required });
  const extra = fc.tuple(shaped, fc.dictionary(fc.string({ maxLength: 12 }), anything, { maxKeys: 3 })).map(([a, b]) => (typeof a === 'object' && a ? { ...b, ...a } : a));
  const partial = fc.record(fields, { requiredKeys: [] });
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 2, arbitrary: partial }, { weight: 1, arbitrary: extra }, { weight: 1, arbitrary: fc.jsonValue() });
}

// ---- the stack and its fixture ------------------------------------------------------------------
interface Fixture {
  owner: { id: string; token: string; email: string };
  editor: { id: string; token: string; email: string };
  viewer: { id: string; token: string; email: string };
  outsider: { id: string; token: string; email: string };
  refreshToken: string;
  projectId: string;
  otherProjectId: string;
  jobId: string;
  assetId: string;
}

async function signUp(name: string): Promise<Fixture['owner'] & { refreshToken: string }> {
  const email = uniqueEmail(`fuzz-${name}`);
  const res = await call(routes.registerRoute.POST, { body: { email, password: PASSWORD, name } });
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, token: res.body.accessToken, email, refreshToken: res.body.refreshToken };
}

describe.each(kinds)('API fuzz on %s', (kind) => {
  let stack: Stack;
  let fx: Fixture;
  const fuzzed = new Set<string>();
  const statuses = new Map<number, number>();

  async function newProject(token: string): Promise<string> {
    const p = await call(routes.projectsRoute.POST, { token, body: { title: 'Fuzz', sourceText: 'A story to fuzz.', language: 'en', readingDirection: 'ltr' } });
    if (p.status !== 201) throw new Error(`create project: ${p.status} ${JSON.stringify(p.body)}`);
    return p.body.id;
  }

  /** Successful requests may delete or change the fixture (that is allowed): put it back. */
  async function restoreFixture(): Promise<void> {
    const sql = stack.env.db.sql;
    const [exists] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM projects WHERE id = ${fx.projectId}`;
    if (exists.n === 0) fx.projectId = await newProject(fx.owner.token);
    for (const [who, role] of [[fx.editor, 'editor'], [fx.viewer, 'viewer']] as const) {
      await sql`INSERT INTO memberships (project_id, user_id, role) VALUES (${fx.projectId}, ${who.id}, ${role})
                ON CONFLICT (project_id, user_id) DO UPDATE SET role = EXCLUDED.role`;
    }
  }

  /** Everything a rejected request must leave alone, in comparable form. */
  async function snapshot(): Promise<{ tables: Record<string, string>; auditMax: string }> {
    const sql = stack.env.db.sql;
    const [row] = await sql<Record<string, string>[]>`
      SELECT
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM users t) AS users,
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM refresh_tokens t) AS refresh_tokens,
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM projects t) AS projects,
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM memberships t) AS memberships,
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM assets t) AS assets,
        (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM generations t) AS generations,
        (SELECT count(*)::text FROM (SELECT doc_name FROM doc_snapshots UNION SELECT doc_name FROM doc_updates) d) AS documents,
        (SELECT coalesce(max(id), 0)::text FROM audit_log) AS audit_max`;
    const { audit_max: auditMax, ...tables } = row;
    // Documents are compared by content, not rows: the collab-server compacts them in the
    // background (rows folded into the snapshot) without changing what they hold.
    for (const name of [workDocName(fx.projectId), reviewDocName(fx.projectId)]) {
      const doc = new Y.Doc();
      applyStoredDoc(doc, await loadDoc(sql, name));
      tables[name] = Buffer.from(Y.encodeSnapshot(Y.snapshot(doc))).toString('base64');
      doc.destroy();
    }
    return { tables, auditMax };
  }

  beforeAll(async () => {
    stack = await startStack(kind, { worker: false });
    const owner = await signUp('owner');
    const [editor, viewer, outsider] = await Promise.all([signUp('editor'), signUp('viewer'), signUp('outsider')]);
    const projectId = await newProject(owner.token);
    const otherProjectId = await newProject(outsider.token);
    const addMember = (await routeModule('/api/projects/{id}/members')).POST as Handler;
    for (const [who, role] of [[editor, 'editor'], [viewer, 'viewer']] as const) {
      const added = await call(addMember, { token: owner.token, body: { email: who.email, role }, params: { id: projectId } });
      if (added.status !== 201) throw new Error(`add ${role}: ${added.status}`);
    }
    const run = await call(routes.runsRoute.POST, { token: owner.token, body: {}, params: { id: projectId, phase: 'concept' } });
    if (run.status !== 202) throw new Error(`run: ${run.status} ${JSON.stringify(run.body)}`);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const assetId = await putAsset(stack.env.db.sql, projectId, { bytes: png, mime: 'image/png', width: 8, height: 8 });
    fx = { owner, editor, viewer, outsider, refreshToken: owner.refreshToken, projectId, otherProjectId, jobId: run.body.jobId, assetId };
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    // eslint-disable-next-line no-console -- the figures of a run, for the report
    console.log(`API fuzz on ${kind}: seed ${SEED}, ${RUNS} runs × ${fuzzed.size} operations; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  });

  it('the OpenAPI document and the route files describe the same operations, each with a handler', async () => {
    const documented = allOperations().map((op) => `${op.method.toUpperCase()} ${op.path}`).sort();
    expect(await routeFileOperations()).toEqual(documented);
    for (const op of allOperations()) expect(typeof (await routeModule(op.path))[op.method.toUpperCase()], op.operationId).toBe('function');
    // The served document is the one the fuzz is generated from.
    expect(Object.keys((openApiDocument().paths as Record<string, unknown>) ?? {}).length).toBe(new Set(allOperations().map((o) => o.path)).size);
  });

  for (const op of allOperations()) {
    it(`${op.method.toUpperCase()} ${op.path} (${op.operationId}): never a 5xx; a rejection changes nothing`, async () => {
      const doc = openApiDocument() as { paths: Record<string, Record<string, JsonSchema>> };
      const spec = doc.paths[op.path][op.method];
      const handler = (await routeModule(op.path))[op.method.toUpperCase()] as Handler;
      const parameters = (spec.parameters as Array<{ name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }> | undefined) ?? [];
      // Real identifiers, resolved when the request is made (the fixture may have been recreated).
      const ref = (name: string): fc.Arbitrary<() => string> => {
        const refs: Record<string, Array<() => string>> = {
          id: [() => fx.projectId, () => fx.otherProjectId, () => fx.projectId.toUpperCase()],
          userId: [() => fx.editor.id, () => fx.viewer.id, () => fx.owner.id, () => fx.outsider.id],
          jobId: [() => fx.jobId],
          assetId: [() => fx.assetId, () => `${fx.assetId}@preview`, () => `${fx.assetId}@ultra`],
        };
        return fc.constantFrom(...(refs[name] ?? [() => '']));
      };
      const paramArb = (p: (typeof parameters)[number]) =>
        fc.oneof(
          { weight: p.in === 'path' ? 4 : 0, arbitrary: ref(p.name) },
          { weight: 3, arbitrary: fromSchema(p.schema).map((v) => () => String(v)) },
          { weight: 1, arbitrary: hostileString.map((v) => () => v) },
        );
      const pathArb = fc.record(Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name, paramArb(p)])));
      const queryArb = fc.record(Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, paramArb(p)])), { requiredKeys: [] });
      // Mostly real members (so requests get past authentication), sometimes no one or a forgery.
      const tokenArb = fc.oneof(
        { weight: 4, arbitrary: fc.constant<() => string | undefined>(() => fx.owner.token) },
        { weight: 4, arbitrary: fc.constantFrom<() => string | undefined>(() => fx.editor.token, () => fx.viewer.token, () => fx.outsider.token) },
        { weight: 2, arbitrary: fc.constantFrom<() => string | undefined>(() => undefined, () => 'a.b.c', () => `${fx.owner.token.slice(0, -4)}AAAA`) },
      );
      const content = ((spec.requestBody as JsonSchema | undefined)?.content ?? {}) as Record<string, { schema: JsonSchema }>;
      const jsonSchema = content['application/json']?.schema ?? { type: 'object', properties: {} };
      const known: Record<string, fc.Arbitrary<unknown>> = {
        email: fc.constantFrom(fx?.editor.email ?? 'x@example.com', 'new@example.com', 'not-an-email'),
        refreshToken: fc.constantFrom('r'.repeat(40), 'x'),
        password: fc.constantFrom('wrong password', ''),
        branchId: fc.constantFrom('b1', 'main', ''),
      };
      type Body = { kind: 'json'; value: unknown } | { kind: 'form'; value: unknown } | { kind: 'raw'; bytes: Uint8Array; contentType: string };
      const bodyArb: fc.Arbitrary<Body> = fc.oneof(
        { weight: 6, arbitrary: bodyArbitrary(jsonSchema, known).map((value): Body => ({ kind: 'json', value })) },
        { weight: content['multipart/form-data'] ? 2 : 0, arbitrary: bodyArbitrary(jsonSchema, known).map((value): Body => ({ kind: 'form', value })) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('application/json', 'multipart/form-data; boundary=x', 'multipart/form-data', 'application/x-www-form-urlencoded', 'text/plain', '', 'application/json; charset=latin1'))
            .map(([bytes, contentType]): Body => ({ kind: 'raw', bytes, contentType })),
        },
      );

      fuzzed.add(op.operationId);
      await fc.assert(
        fc.asyncProperty(pathArb, queryArb, tokenArb, bodyArb, async (pathParams, query, token, body) => {
          await restoreFixture();
          const params = Object.fromEntries(Object.entries(pathParams).map(([k, v]) => [k, (v as () => string)()]));
          const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, (v as () => string)()]));
          const url = op.path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? '')) + (search.size ? `?${search}` : '');
          const method = op.method.toUpperCase();
          const headers: Record<string, string> = {};
          let rawBody: BodyInit | undefined;
          let jsonBody: unknown;
          if (method !== 'GET') {
            if (body.kind === 'raw') {
              rawBody = Buffer.from(body.bytes);
              if (body.contentType) headers['content-type'] = body.contentType;
            } else if (body.kind === 'form') {
              const form = new FormData();
              if (body.value && typeof body.value === 'object') for (const [k, v] of Object.entries(body.value)) form.append(k, typeof v === 'string' ? v : JSON.stringify(v) ?? '');
              rawBody = form;
            } else jsonBody = body.value;
          }
          const before = await snapshot();
          const res = await call(handler, { method, path: url, token: token(), params, body: jsonBody, rawBody, headers });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${method} ${url} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.body?.error?.code, `${method} ${url} → ${res.status}: error body`).toEqual(expect.any(String));
            const after = await snapshot();
            expect(after.tables, `${method} ${url} → ${res.status} (${res.body.error.code}) changed a record`).toEqual(before.tables);
            const audited = await stack.env.db.sql<{ action: string }[]>`SELECT action FROM audit_log WHERE id > ${before.auditMax}`;
            for (const a of audited) expect(AUDITED_REJECTIONS, `${op.operationId} ${res.status} left audit entry ${a.action}`).toContain(a.action);
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    }, Math.max(120_000, RUNS * 2_000));
  }

  it('fuzzed every operation of the OpenAPI document', () => {
    expect([...fuzzed].sort()).toEqual(allOperations().map((o: ApiOperation) => o.operationId).sort());
  });
});
