import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { POST as register } from '../../app/api/auth/register/route';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as refresh } from '../../app/api/auth/refresh/route';
import { POST as logout } from '../../app/api/auth/logout/route';
import { GET as me } from '../../app/api/me/route';
import { signAccessToken } from '../../lib/auth/tokens';
import { testDbKinds } from '../support/services';
import { TEST_SECRET, call, startApiEnv, uniqueEmail, type ApiEnv } from './api-support';

const kinds = await testDbKinds();

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe.each(kinds)('auth API on %s', (kind) => {
  let env: ApiEnv;
  beforeAll(async () => {
    env = await startApiEnv(kind);
  });
  afterAll(async () => {
    await env?.stop();
  });

  async function newUser(password = 'correct horse battery') {
    const email = uniqueEmail();
    const res = await call(register, { body: { email, password, name: 'Hinata' } });
    expect(res.status).toBe(201);
    return { email, password, ...res.body };
  }

  it('registers: 201 with user and tokens, argon2id hash, audit row, HttpOnly cookie', async () => {
    const email = uniqueEmail('Reg');
    const res = await call(register, { body: { email: `  ${email} `, password: 'long enough pw', name: 'さくら ひなた' } });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: email.toLowerCase(), name: 'さくら ひなた' });
    expect(res.body.accessToken).toMatch(/^ey/);
    expect(res.body.refreshToken.length).toBeGreaterThan(20);
    expect(res.body.expiresIn).toBe(3600);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^koma_refresh=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Strict');
    const [row] = await env.db.sql<{ password_hash: string }[]>`SELECT password_hash FROM users WHERE id = ${res.body.user.id}`;
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const audit = await env.db.sql`SELECT 1 FROM audit_log WHERE action = 'auth.register' AND actor_id = ${res.body.user.id}`;
    expect(audit.length).toBe(1);
  });

  it('refuses a duplicate email (any case) with 409', async () => {
    const user = await newUser();
    const res = await call(register, { body: { email: user.email.toUpperCase(), password: 'another password', name: 'X' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('email_taken');
  });

  it.each([
    ['missing fields', {}],
    ['wrong types', { email: 42, password: true, name: ['a'] }],
    ['bad email', { email: 'not-an-email', password: 'long enough pw', name: 'A' }],
    ['short password', { email: 'a@example.com', password: 'short', name: 'A' }],
    ['blank name', { email: 'a@example.com', password: 'long enough pw', name: '   ' }],
    ['control chars in name', { email: 'a@example.com', password: 'long enough pw', name: 'a\u0000b' }],
    ['array body', [1, 2, 3]],
    ['null body', null],
  ])('register rejects %s with 400 naming the field', async (_label, body) => {
    const res = await call(register, { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.error.details.length).toBeGreaterThan(0);
    expect(res.body.error.details[0]).toEqual({ path: expect.any(String), message: expect.any(String) });
  });

  it('rejects malformed JSON, empty bodies, non-UTF-8 and non-JSON media types with 4xx', async () => {
    const bad = await call(register, { rawBody: '{"email": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    const empty = await call(register, { rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    const binary = await call(register, { rawBody: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), headers: { 'content-type': 'application/json' } });
    expect(binary.status).toBe(400);
    expect(binary.body.error.code).toBe('invalid_encoding');
    const text = await call(register, { rawBody: 'email=a', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const huge = await call(register, { rawBody: 'x'.repeat(10), headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
  });

  it('logs in with the right password (200) and writes an audit row; wrong → 401', async () => {
    const user = await newUser();
    const ok = await call(login, { body: { email: user.email, password: user.password } });
    expect(ok.status).toBe(200);
    expect(ok.body.accessToken).toBeTruthy();
    expect(ok.body.user.id).toBe(user.user.id);
    const wrong = await call(login, { body: { email: user.email, password: 'wrong password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    const nobody = await call(login, { body: { email: uniqueEmail('ghost'), password: 'whatever123' } });
    expect(nobody.status).toBe(401);
    expect(nobody.body.error.message).toBe(wrong.body.error.message);
    const rows = await env.db.sql<{ action: string }[]>`SELECT action FROM audit_log WHERE actor_id = ${user.user.id} ORDER BY id`;
    expect(rows.map((r) => r.action)).toEqual(['auth.register', 'auth.login', 'auth.login_failed']);
    const bad = await call(login, { body: { email: user.email } });
    expect(bad.status).toBe(400);
  });

  it('GET /api/me with a valid token; 401 without, with garbage, forged, alg none, expired, wrong type', async () => {
    const user = await newUser();
    const ok = await call(me, { token: user.accessToken });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual(user.user);

    const missing = await call(me);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('missing_token');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');

    const basic = await call(me, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
    const garbage = await call(me, { token: 'not.a.jwt' });
    expect(garbage.status).toBe(401);

    const claims = { typ: 'access', sub: user.user.id, email: user.email, name: 'Hinata' };
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('koma')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a-completely-different-secret-of-enough-length'));
    const forgedRes = await call(me, { token: forged });
    expect(forgedRes.status).toBe(401);
    expect(forgedRes.body.error.code).toBe('invalid_token');

    const now = Math.floor(Date.now() / 1000);
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, iss: 'koma', iat: now, exp: now + 3600 })}.`;
    const noneRes = await call(me, { token: none });
    expect(noneRes.status).toBe(401);

    // A real signature over a tampered payload.
    const [h, , s] = user.accessToken.split('.');
    const tampered = `${h}.${b64url({ ...claims, sub: '00000000-0000-4000-8000-000000000000', iss: 'koma', iat: now, exp: now + 3600 })}.${s}`;
    expect((await call(me, { token: tampered })).status).toBe(401);

    const expired = await signAccessToken({ sub: user.user.id, email: user.email, name: 'Hinata' }, TEST_SECRET, -60);
    const expiredRes = await call(me, { token: expired });
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.body.error.code).toBe('token_expired');

    // A refresh token is not an access token.
    expect((await call(me, { token: user.refreshToken })).status).toBe(401);
  });

  it('rotates refresh tokens; reusing one → 401 and the whole family is revoked', async () => {
    const user = await newUser();
    const first = await call(refresh, { body: { refreshToken: user.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect(first.body.accessToken).toBeTruthy();
    expect((await call(me, { token: first.body.accessToken })).status).toBe(200);

    const second = await call(refresh, { body: { refreshToken: first.body.refreshToken } });
    expect(second.status).toBe(200);

    // The stolen original is replayed.
    const reuse = await call(refresh, { body: { refreshToken: user.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('refresh_reused');
    // ...and the legitimate newest token is dead too.
    const after = await call(refresh, { body: { refreshToken: second.body.refreshToken } });
    expect(after.status).toBe(401);
    const live = await env.db.sql`SELECT 1 FROM refresh_tokens WHERE user_id = ${user.user.id} AND revoked_at IS NULL`;
    expect(live.length).toBe(0);
    const audit = await env.db.sql`SELECT 1 FROM audit_log WHERE action = 'auth.refresh_reuse' AND actor_id = ${user.user.id}`;
    expect(audit.length).toBeGreaterThanOrEqual(1);

    // Another sign-in is another family and still works.
    const again = await call(login, { body: { email: user.email, password: user.password } });
    expect((await call(refresh, { body: { refreshToken: again.body.refreshToken } })).status).toBe(200);
  });

  it('two concurrent uses of one refresh token: at most one succeeds', async () => {
    const user = await newUser();
    const results = await Promise.all([
      call(refresh, { body: { refreshToken: user.refreshToken } }),
      call(refresh, { body: { refreshToken: user.refreshToken } }),
    ]);
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.some((r) => r.status === 401)).toBe(true);
  });

  it('refresh accepts the HttpOnly cookie; unknown, missing, wrong-typed tokens → 4xx', async () => {
    const user = await newUser();
    const viaCookie = await call(refresh, { method: 'POST', headers: { cookie: `other=1; koma_refresh=${user.refreshToken}` } });
    expect(viaCookie.status).toBe(200);
    const unknown = await call(refresh, { body: { refreshToken: 'x'.repeat(43) } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_refresh_token');
    const missing = await call(refresh, { body: {} });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('missing_refresh_token');
    const wrongType = await call(refresh, { body: { refreshToken: 12345 } });
    expect(wrongType.status).toBe(400);
  });

  it('logout revokes the family (204, idempotent) and clears the cookie', async () => {
    const user = await newUser();
    const out = await call(logout, { body: { refreshToken: user.refreshToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    const after = await call(refresh, { body: { refreshToken: user.refreshToken } });
    expect(after.status).toBe(401);
    expect((await call(logout, { body: { refreshToken: user.refreshToken } })).status).toBe(204);
    expect((await call(logout, { method: 'POST' })).status).toBe(204);
    expect((await call(logout, { body: { refreshToken: ['x'] } })).status).toBe(400);
  });
});
