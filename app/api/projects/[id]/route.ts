import { db } from '@/lib/db/client';
import { json, noContent, preflight, readParams, requireUser, route } from '@/lib/http';
import { projectIdParams } from '@/lib/projects/schemas';
import { deleteProject, getProjectWithMembers } from '@/lib/projects/service';

export const dynamic = 'force-dynamic';

export const GET = route('projects.get', async ({ req, params }) => {
  const user = await requireUser(req);
  const { id } = await readParams(params, projectIdParams);
  return json({ project: await getProjectWithMembers(db(), user, id) });
});

export const DELETE = route('projects.delete', async ({ req, ctx, params }) => {
  const user = await requireUser(req);
  const { id } = await readParams(params, projectIdParams);
  await deleteProject(db(), user, id, ctx.ip);
  return noContent();
});

export const OPTIONS = preflight;
