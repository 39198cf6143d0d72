/**
 * Refresh tokens: opaque random strings, stored as SHA-256 hashes, 7 days, rotated on every
 * use. Tokens issued from one sign-in share a family; presenting a token that was already
 * used (or revoked) means it leaked, so the whole family is revoked and the caller gets 401.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { REFRESH_TOKEN_TTL_S } from './tokens';

export interface IssuedRefresh {
  token: string;
  familyId: string;
  expiresAt: Date;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function issueRefreshToken(sql: Db, userId: string, familyId: string = randomUUID()): Promise<IssuedRefresh> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_S * 1000);
  // Expired rows can no longer be presented, so they are useless for reuse detection: prune
  // this user's on every issue so the table stays proportional to live sessions.
  await sql`DELETE FROM refresh_tokens WHERE user_id = ${userId} AND expires_at < now()`;
  await sql`
    INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
    VALUES (${userId}, ${familyId}, ${hashRefreshToken(token)}, ${expiresAt})`;
  return { token, familyId, expiresAt };
}

export type RotateResult =
  | { ok: true; userId: string; refresh: IssuedRefresh }
  | { ok: false; reason: 'unknown' | 'expired' | 'reused'; userId?: string; familyId?: string };

interface TokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

/**
 * Exchange a refresh token for a new one in the same family. Runs in one transaction with the
 * row locked, so two concurrent uses of one token cannot both succeed: the second is a reuse.
 */
export async function rotateRefreshToken(sql: Db, token: string): Promise<RotateResult> {
  return sql.begin(async (tx) => {
    const rows = await tx<TokenRow[]>`
      SELECT id, user_id, family_id, expires_at, used_at, revoked_at
      FROM refresh_tokens WHERE token_hash = ${hashRefreshToken(token)} FOR UPDATE`;
    if (rows.length === 0) return { ok: false, reason: 'unknown' } as const;
    const row = rows[0];
    if (row.used_at || row.revoked_at) {
      await tx`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ${row.family_id} AND revoked_at IS NULL`;
      return { ok: false, reason: 'reused', userId: row.user_id, familyId: row.family_id } as const;
    }
    if (new Date(row.expires_at).getTime() <= Date.now()) return { ok: false, reason: 'expired', userId: row.user_id } as const;
    await tx`UPDATE refresh_tokens SET used_at = now() WHERE id = ${row.id}`;
    const refresh = await issueRefreshToken(tx as unknown as Db, row.user_id, row.family_id);
    return { ok: true, userId: row.user_id, refresh } as const;
  });
}

/** Logout: revoke the token's whole family. Returns the owner, or null for an unknown token. */
export async function revokeRefreshFamily(sql: Db, token: string): Promise<string | null> {
  const rows = await sql<{ user_id: string; family_id: string }[]>`
    SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = ${hashRefreshToken(token)}`;
  if (rows.length === 0) return null;
  await sql`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ${rows[0].family_id} AND revoked_at IS NULL`;
  return rows[0].user_id;
}
