/**
 * The auth guard: `Authorization: Bearer <accessToken>` → the signed-in user, or a 401 that
 * says what is wrong (missing, malformed, expired, invalid, account gone).
 */
import { db, type Db } from '../db/client';
import { jwtSecret } from '../auth/secret';
import { TokenError, verifyAccessToken } from '../auth/tokens';
import { unauthorized } from './errors';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
}

export function bearerToken(req: Request): string {
  const header = req.headers.get('authorization');
  if (!header) throw unauthorized('missing_token', 'sign in first: send Authorization: Bearer <accessToken>');
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  if (!match) throw unauthorized('invalid_token', 'the Authorization header must be "Bearer <accessToken>"');
  return match[1];
}

/**
 * Verify the access token and check the account still exists (a deleted account's tokens stop
 * working at once rather than living out their hour).
 */
export async function requireUser(req: Request, sql: Db = db()): Promise<AuthUser> {
  const token = bearerToken(req);
  let userId: string;
  try {
    userId = (await verifyAccessToken(token, jwtSecret())).sub;
  } catch (error) {
    if (error instanceof TokenError && error.code === 'expired') {
      throw unauthorized('token_expired', 'the access token has expired; refresh it with POST /api/auth/refresh');
    }
    throw unauthorized('invalid_token', 'the access token is not valid');
  }
  const rows = await sql<AuthUser[]>`SELECT id, email, name FROM users WHERE id = ${userId}`;
  if (rows.length === 0) throw unauthorized('invalid_token', 'the account for this token no longer exists');
  return rows[0];
}
