import { db } from '@/lib/db/client';
import { json, noContent, preflight, readJson, SMALL_BODY_BYTES, requireUser, route } from '@/lib/http';
import { deleteAccountBody } from '@/lib/auth/schemas';
import { deleteAccount } from '@/lib/auth/account';
import { clearRefreshCookie } from '@/lib/auth/cookies';

export const dynamic = 'force-dynamic';

export const GET = route('me.get', async ({ req }) => {
  const user = await requireUser(req);
  return json({ user });
});

/** GDPR erasure: the account, the projects it owns and everything in them. Needs the password. */
export const DELETE = route('me.delete', async ({ req, ctx }) => {
  const user = await requireUser(req);
  const { password } = await readJson(req, deleteAccountBody, SMALL_BODY_BYTES);
  await deleteAccount(db(), user, password, ctx.ip);
  return noContent({ 'Set-Cookie': clearRefreshCookie() });
});

export const OPTIONS = preflight;
