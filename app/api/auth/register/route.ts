import { db } from '@/lib/db/client';
import { json, preflight, readJson, SMALL_BODY_BYTES, route } from '@/lib/http';
import { registerBody } from '@/lib/auth/schemas';
import { register } from '@/lib/auth/service';
import { refreshCookie } from '@/lib/auth/cookies';

export const dynamic = 'force-dynamic';

export const POST = route('auth.register', async ({ req, ctx }) => {
  const input = await readJson(req, registerBody, SMALL_BODY_BYTES);
  const session = await register(db(), input, ctx.ip);
  return json(session, 201, { 'Set-Cookie': refreshCookie(session.refreshToken) });
});

export const OPTIONS = preflight;
