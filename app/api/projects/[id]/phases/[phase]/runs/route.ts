import { db } from '@/lib/db/client';
import { json, limitGenerations, preflight, readOptionalJson, readParams, requireUser, route } from '@/lib/http';
import { runBody, phaseParams } from '@/lib/phases/schemas';
import { startRun } from '@/lib/phases/runs';

export const dynamic = 'force-dynamic';

export const POST = route('phases.run', async ({ req, params }) => {
  const user = await requireUser(req);
  const { id, phase } = await readParams(params, phaseParams);
  const body = await readOptionalJson(req, runBody);
  await limitGenerations(user.id);
  return json(await startRun(db(), user, id, phase, body), 202);
});

export const OPTIONS = preflight;
