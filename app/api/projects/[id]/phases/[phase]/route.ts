import { db } from '@/lib/db/client';
import { json, preflight, readParams, requireUser, route } from '@/lib/http';
import { phaseParams } from '@/lib/phases/schemas';
import { getPhase } from '@/lib/phases/service';

export const dynamic = 'force-dynamic';

export const GET = route('phases.get', async ({ req, params }) => {
  const user = await requireUser(req);
  const { id, phase } = await readParams(params, phaseParams);
  return json(await getPhase(db(), user, id, phase));
});

export const OPTIONS = preflight;
