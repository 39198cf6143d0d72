import { db } from '@/lib/db/client';
import { json, preflight, readOptionalJson, SMALL_BODY_BYTES, route, unauthorized, HttpError } from '@/lib/http';
import { refreshBody } from '@/lib/auth/schemas';
import { refresh } from '@/lib/auth/service';
import { clearRefreshCookie, refreshCookie, refreshTokenFromCookie } from '@/lib/auth/cookies';

export const dynamic = 'force-dynamic';

export const POST = route('auth.refresh', async ({ req, ctx }) => {
  // A browser may send only the HttpOnly cookie, with no body at all.
  const body = await readOptionalJson(req, refreshBody, SMALL_BODY_BYTES);
  const token = body.refreshToken ?? refreshTokenFromCookie(req);
  if (!token) throw unauthorized('missing_refresh_token', 'send {"refreshToken": "..."} (or the koma_refresh cookie)');
  try {
    const session = await refresh(db(), token, ctx.ip);
    return json(session, 200, { 'Set-Cookie': refreshCookie(session.refreshToken) });
  } catch (error) {
    if (error instanceof HttpError) {
      throw new HttpError(error.status, error.code, error.message, { ...error.headers, 'Set-Cookie': clearRefreshCookie() });
    }
    throw error;
  }
});

export const OPTIONS = preflight;
