import { db } from '@/lib/db/client';
import { json, preflight, readParams, requireUser, route } from '@/lib/http';
import { jobParams } from '@/lib/phases/schemas';
import { cancelRun, readJob } from '@/lib/phases/runs';

export const dynamic = 'force-dynamic';

export const GET = route('jobs.get', async ({ req, params }) => {
  const user = await requireUser(req);
  const { jobId } = await readParams(params, jobParams);
  const job = await readJob(db(), user, jobId);
  return json({ state: job.state, progress: job.progress, branchId: job.branchId, phase: job.phase, ...(job.error ? { error: job.error } : {}) });
});

export const DELETE = route('jobs.cancel', async ({ req, params }) => {
  const user = await requireUser(req);
  const { jobId } = await readParams(params, jobParams);
  return json(await cancelRun(db(), user, jobId), 202);
});

export const OPTIONS = preflight;
