import { db } from '@/lib/db/client';
import { json, preflight, readJson, SMALL_BODY_BYTES, route } from '@/lib/http';
import { loginBody } from '@/lib/auth/schemas';
import { login } from '@/lib/auth/service';
import { refreshCookie } from '@/lib/auth/cookies';

export const dynamic = 'force-dynamic';

export const POST = route('auth.login', async ({ req, ctx }) => {
  const input = await readJson(req, loginBody, SMALL_BODY_BYTES);
  const session = await login(db(), input, ctx.ip);
  return json(session, 200, { 'Set-Cookie': refreshCookie(session.refreshToken) });
});

export const OPTIONS = preflight;
