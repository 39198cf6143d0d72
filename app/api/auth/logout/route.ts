import { db } from '@/lib/db/client';
import { noContent, preflight, readOptionalJson, SMALL_BODY_BYTES, route } from '@/lib/http';
import { logoutBody } from '@/lib/auth/schemas';
import { logout } from '@/lib/auth/service';
import { clearRefreshCookie, refreshTokenFromCookie } from '@/lib/auth/cookies';

export const dynamic = 'force-dynamic';

/** Revokes the refresh token's whole family. Idempotent: an unknown token is still 204. */
export const POST = route('auth.logout', async ({ req, ctx }) => {
  const body = await readOptionalJson(req, logoutBody, SMALL_BODY_BYTES);
  await logout(db(), body.refreshToken ?? refreshTokenFromCookie(req), ctx.ip);
  return noContent({ 'Set-Cookie': clearRefreshCookie() });
});

export const OPTIONS = preflight;
