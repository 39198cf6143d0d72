import { db } from '@/lib/db/client';
import { json, preflight, readOptionalJson, readParams, requireUser, route } from '@/lib/http';
import { phaseActionParams } from '@/lib/phases/schemas';
import { actOnPhase, phaseActionBody } from '@/lib/phases/service';

export const dynamic = 'force-dynamic';

/** adopt | pin | unpin | fork | delete | skip | reopen | approve */
export const POST = route('phases.action', async ({ req, params }) => {
  const user = await requireUser(req);
  const { id, phase, action } = await readParams(params, phaseActionParams);
  const body = await readOptionalJson(req, phaseActionBody);
  return json(await actOnPhase(db(), user, id, phase, action, body), action === 'fork' ? 201 : 200);
});

export const OPTIONS = preflight;
