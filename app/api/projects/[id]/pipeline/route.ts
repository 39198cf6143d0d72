import { db } from '@/lib/db/client';
import { json, limitGenerations, preflight, readOptionalJson, readParams, requireUser, route } from '@/lib/http';
import { projectIdParams } from '@/lib/projects/schemas';
import { pipelineBody } from '@/lib/phases/schemas';
import { startPipeline } from '@/lib/phases/runs';

export const dynamic = 'force-dynamic';

/** The fast path without HITL: every remaining phase in order, adopting each result. */
export const POST = route('pipeline.start', async ({ req, params }) => {
  const user = await requireUser(req);
  const { id } = await readParams(params, projectIdParams);
  const body = await readOptionalJson(req, pipelineBody);
  await limitGenerations(user.id);
  return json(await startPipeline(db(), user, id, body), 202);
});

export const OPTIONS = preflight;
