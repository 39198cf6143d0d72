import { db } from '@/lib/db/client';
import { json, preflight, requireUser, route } from '@/lib/http';
import { exportAccount } from '@/lib/auth/account';

export const dynamic = 'force-dynamic';

/** GDPR portability: everything Koma holds about the caller, as one JSON download. */
export const GET = route('me.export', async ({ req, ctx }) => {
  const user = await requireUser(req);
  const data = await exportAccount(db(), user, ctx.ip);
  return json(data, 200, { 'Content-Disposition': 'attachment; filename="koma-export.json"' });
});

export const OPTIONS = preflight;
