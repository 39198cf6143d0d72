import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../lib/config';
import { closeRedis, redis } from '../../lib/redis/client';
import { closeDb } from '../../lib/db/client';
import { freePort } from '../../lib/net';
import { HttpError } from '../../lib/http/errors';
import { limitGenerations } from '../../lib/http/rate-limit';
import { GET as health } from '../../app/api/health/route';
import { GET as metrics } from '../../app/api/metrics/route';
import { GET as openapi } from '../../app/api/openapi.json/route';
import { POST as unknownRoute } from '../../app/api/[...path]/route';
import { POST as register } from '../../app/api/auth/register/route';
import { DELETE as deleteMe, GET as me, OPTIONS as meOptions } from '../../app/api/me/route';
import { GET as exportMe } from '../../app/api/me/export/route';
import { POST as createProject } from '../../app/api/projects/route';
import { POST as addMember } from '../../app/api/projects/[id]/members/route';
import { POST as login } from '../../app/api/auth/login/route';
import { testDbKinds } from '../support/services';
import { call, startApiEnv, uniqueEmail, type ApiEnv } from './api-support';

const kinds = await testDbKinds();

describe.each(kinds)('platform endpoints on %s', (kind) => {
  let env: ApiEnv;
  beforeAll(async () => {
    env = await startApiEnv(kind);
  });
  afterAll(async () => {
    await env?.stop();
  });

  async function newUser(name = 'u') {
    const email = uniqueEmail(name);
    const res = await call(register, { body: { email, password: 'password 1234', name } });
    return { token: res.body.accessToken as string, id: res.body.user.id as string, email, password: 'password 1234' };
  }

  it('health: 200 ok with postgres and redis; 503 when redis is unreachable', async () => {
    const ok = await call(health);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });

    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = `redis://127.0.0.1:${await freePort()}`;
    resetConfigForTests();
    await closeRedis();
    redis().on('error', () => {}); // the refused connections are the point of this test
    try {
      const down = await call(health);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'error', postgres: 'ok', redis: 'error' });
      // The rate limiter fails open: the API still answers without Redis.
      expect((await call(me)).status).toBe(401);
    } finally {
      // quit() would wait for a server that is not there: drop the connection instead.
      redis().disconnect();
      (globalThis as { __komaRedis?: unknown }).__komaRedis = undefined;
      process.env.REDIS_URL = saved;
      resetConfigForTests();
    }
  });

  it('database down → 503 with Retry-After (not 500); health says postgres error', async () => {
    const user = await newUser('dbdown');
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    resetConfigForTests();
    await closeDb();
    try {
      const res = await call(me, { token: user.token });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('unavailable');
      expect(res.headers.get('retry-after')).toBe('5');
      const h = await call(health);
      expect(h.status).toBe(503);
      expect(h.body.postgres).toBe('error');
    } finally {
      await closeDb();
      process.env.DATABASE_URL = saved;
      resetConfigForTests();
    }
    expect((await call(me, { token: user.token })).status).toBe(200);
  });

  it('unknown API paths get a JSON 404 in the error format', async () => {
    const res = await call(unknownRoute, { method: 'POST', path: '/api/nope', body: {} });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(res.body.error.message).toContain('/api/nope');
  });

  it('metrics: Prometheus text with the HTTP counters', async () => {
    await call(me);
    const res = await call(metrics);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.body).toContain('koma_http_requests_total');
    expect(res.body).toMatch(/koma_http_requests_total\{[^}]*route="me.get"[^}]*status="401"/);
    expect(res.body).toContain('koma_http_request_duration_seconds_bucket');
  });

  it('metrics: with METRICS_TOKEN set, only the bearer of that token may read them', async () => {
    const saved = process.env.METRICS_TOKEN;
    process.env.METRICS_TOKEN = 'metrics-token-for-the-test-0123';
    resetConfigForTests();
    try {
      const anonymous = await call(metrics);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
      const wrong = await call(metrics, { headers: { authorization: 'Bearer not-the-token-at-all-000' } });
      expect(wrong.status).toBe(401);
      const right = await call(metrics, { headers: { authorization: 'Bearer metrics-token-for-the-test-0123' } });
      expect(right.status).toBe(200);
      expect(right.body).toContain('koma_http_requests_total');
    } finally {
      if (saved === undefined) delete process.env.METRICS_TOKEN;
      else process.env.METRICS_TOKEN = saved;
      resetConfigForTests();
    }
  });

  it('every response has a request id (echoed when well-formed) and security headers', async () => {
    const res = await call(me, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const weird = await call(me, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(weird.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('CORS: allow-listed origins get headers and a preflight; others get none', async () => {
    const allowed = await call(me, { headers: { origin: 'https://studio.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://studio.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await call(me, { headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await meOptions(new Request('http://localhost:3000/api/me', { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'DELETE' } }));
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
    const preEvil = await meOptions(new Request('http://localhost:3000/api/me', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } }));
    expect(preEvil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('per-IP limit: request 101 within a minute → 429 with Retry-After; other IPs unaffected', async () => {
    const ip = '203.0.113.7';
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await call(me, { ip })).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const limited = await call(me, { ip });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    // The rightmost x-forwarded-for entry counts: a spoofed left part does not escape the limit.
    expect((await call(me, { headers: { 'x-forwarded-for': `1.2.3.4, ${ip}` }, ip: `9.9.9.9, ${ip}` })).status).toBe(429);
    expect((await call(me, { ip: '203.0.113.8' })).status).toBe(401);
    // Probes are not limited.
    expect((await call(health, { ip })).status).toBe(200);
  });

  it('per-user generation limit: the 11th generation request within a minute → 429 with Retry-After', async () => {
    const user = await newUser('gen');
    for (let i = 0; i < 10; i++) await limitGenerations(user.id);
    const error = await limitGenerations(user.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(429);
    expect(Number((error as HttpError).headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    const other = await newUser('gen2');
    await expect(limitGenerations(other.id)).resolves.toBeTruthy();
  });

  it('OpenAPI document: valid shape, documents every route file and method', async () => {
    const res = await call(openapi);
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    const create = doc.paths['/api/projects'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.properties.language.enum).toEqual(['ja', 'en']);
    expect(schema.required).toEqual(expect.arrayContaining(['title', 'sourceText', 'language', 'readingDirection']));
    expect(doc.paths['/api/projects/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });

    // Every route file's exported methods appear in the document.
    const root = path.resolve(import.meta.dirname, '../../app/api');
    // The catch-all ([...path]) only answers JSON 404s for unknown paths.
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('route.ts') && !f.includes('[...'));
    for (const file of files) {
      const apiPath = '/api/' + path.dirname(file).split(path.sep).map((s) => s.replace(/^\[(.+)\]$/, '{$1}')).join('/');
      const mod = (await import(path.join(root, file))) as Record<string, unknown>;
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        if (typeof mod[method] !== 'function') continue;
        expect(doc.paths[apiPath]?.[method.toLowerCase()], `${method} ${apiPath}`).toBeTruthy();
      }
    }
  });

  it('GDPR export: my account, memberships, owned projects with their source text, audit trail — no secrets', async () => {
    const user = await newUser('export');
    const created = await call(createProject, { token: user.token, body: { title: 'Mine', sourceText: '私の物語。', language: 'ja', readingDirection: 'rtl' } });
    const res = await call(exportMe, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect(res.body.user).toMatchObject({ id: user.id, email: user.email });
    expect(res.body.ownedProjects[0]).toMatchObject({ id: created.body.id, sourceText: '私の物語。' });
    expect(res.body.ownedProjects[0].workDocument.length).toBeGreaterThan(10);
    expect(res.body.auditLog.map((e: { action: string }) => e.action)).toContain('project.create');
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('argon2');
    expect(text).not.toContain(user.token);
    expect((await call(exportMe)).status).toBe(401);
  });

  it('GDPR delete: needs the password; removes the account, owned projects and their docs; keeps others’ projects', async () => {
    const user = await newUser('leaver');
    const other = await newUser('stayer');
    const own = await call(createProject, { token: user.token, body: { title: 'Gone', sourceText: 'x y z', language: 'en', readingDirection: 'ltr' } });
    const theirs = await call(createProject, { token: other.token, body: { title: 'Kept', sourceText: 'a b c', language: 'en', readingDirection: 'ltr' } });
    await call(addMember, { token: other.token, body: { email: user.email, role: 'editor' }, params: { id: theirs.body.id } });

    const wrong = await call(deleteMe, { method: 'DELETE', token: user.token, body: { password: 'nope nope' } });
    expect(wrong.status).toBe(401);
    expect((await call(deleteMe, { method: 'DELETE', token: user.token, body: {} })).status).toBe(400);
    expect((await call(me, { token: user.token })).status).toBe(200);

    const res = await call(deleteMe, { method: 'DELETE', token: user.token, body: { password: user.password } });
    expect(res.status).toBe(204);
    expect((await env.db.sql`SELECT 1 FROM users WHERE id = ${user.id}`).length).toBe(0);
    expect((await env.db.sql`SELECT 1 FROM projects WHERE id = ${own.body.id}`).length).toBe(0);
    expect((await env.db.sql`SELECT 1 FROM doc_snapshots WHERE doc_name = ${own.body.docName}`).length).toBe(0);
    expect((await env.db.sql`SELECT 1 FROM memberships WHERE user_id = ${user.id}`).length).toBe(0);
    expect((await env.db.sql`SELECT 1 FROM refresh_tokens WHERE user_id = ${user.id}`).length).toBe(0);
    expect((await env.db.sql`SELECT 1 FROM projects WHERE id = ${theirs.body.id}`).length).toBe(1);
    // The old access token dies with the account; the credentials no longer sign in.
    expect((await call(me, { token: user.token })).status).toBe(401);
    expect((await call(login, { body: { email: user.email, password: user.password } })).status).toBe(401);
    expect((await env.db.sql`SELECT 1 FROM audit_log WHERE action = 'account.delete' AND actor_id = ${user.id}`).length).toBe(1);
  });
});
