/**
 * Accounts and sessions: register, login, refresh (rotation with reuse detection), logout.
 * Route handlers in app/api/auth call these; they throw HttpError for the client's mistakes.
 */
import type { Db } from '../db/client';
import { audit } from '../audit';
import { conflict, unauthorized } from '../http/errors';
import { hashPassword, verifyPassword } from './password';
import { issueRefreshToken, revokeRefreshFamily, rotateRefreshToken } from './refresh';
import { jwtSecret } from './secret';
import { ACCESS_TOKEN_TTL_S, signAccessToken } from './tokens';
import type { UserView } from './schemas';

export interface Session {
  user: UserView;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

async function session(sql: Db, user: UserView, familyId?: string): Promise<Session> {
  const accessToken = await signAccessToken({ sub: user.id, email: user.email, name: user.name }, jwtSecret());
  const refresh = await issueRefreshToken(sql, user.id, familyId);
  return { user, accessToken, refreshToken: refresh.token, expiresIn: ACCESS_TOKEN_TTL_S, tokenType: 'Bearer' };
}

export async function register(sql: Db, input: { email: string; password: string; name: string }, ip: string): Promise<Session> {
  const passwordHash = await hashPassword(input.password);
  const rows = await sql<UserView[]>`
    INSERT INTO users (email, name, password_hash) VALUES (${input.email}, ${input.name}, ${passwordHash})
    ON CONFLICT ((lower(email))) DO NOTHING
    RETURNING id, email, name`;
  if (rows.length === 0) throw conflict('email_taken', 'an account with this email already exists');
  const user = rows[0];
  await audit(sql, { action: 'auth.register', actorId: user.id, target: user.id, ip });
  return session(sql, user);
}

export async function login(sql: Db, input: { email: string; password: string }, ip: string): Promise<Session> {
  const rows = await sql<(UserView & { password_hash: string })[]>`
    SELECT id, email, name, password_hash FROM users WHERE lower(email) = ${input.email.toLowerCase()}`;
  const found = rows[0];
  const ok = await verifyPassword(found?.password_hash ?? null, input.password);
  if (!found || !ok) {
    await audit(sql, { action: 'auth.login_failed', actorId: found?.id ?? null, target: input.email, ip });
    throw unauthorized('invalid_credentials', 'email or password is wrong');
  }
  await audit(sql, { action: 'auth.login', actorId: found.id, target: found.id, ip });
  return session(sql, { id: found.id, email: found.email, name: found.name });
}

export async function refresh(sql: Db, token: string, ip: string): Promise<Session> {
  const result = await rotateRefreshToken(sql, token);
  if (!result.ok) {
    if (result.reason === 'reused') {
      await audit(sql, { action: 'auth.refresh_reuse', actorId: result.userId, target: result.familyId, ip });
      throw unauthorized('refresh_reused', 'this refresh token was already used; every session from that sign-in is revoked — sign in again');
    }
    if (result.reason === 'expired') throw unauthorized('refresh_expired', 'the refresh token has expired; sign in again');
    throw unauthorized('invalid_refresh_token', 'the refresh token is not valid');
  }
  const users = await sql<UserView[]>`SELECT id, email, name FROM users WHERE id = ${result.userId}`;
  if (users.length === 0) throw unauthorized('invalid_refresh_token', 'the account no longer exists');
  const user = users[0];
  const accessToken = await signAccessToken({ sub: user.id, email: user.email, name: user.name }, jwtSecret());
  return { user, accessToken, refreshToken: result.refresh.token, expiresIn: ACCESS_TOKEN_TTL_S, tokenType: 'Bearer' };
}

export async function logout(sql: Db, token: string | null, ip: string): Promise<void> {
  if (!token) return;
  const userId = await revokeRefreshFamily(sql, token);
  if (userId) await audit(sql, { action: 'auth.logout', actorId: userId, target: userId, ip });
}
