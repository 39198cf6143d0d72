import { db } from '@/lib/db/client';
import { json, preflight, readParams, requireUser, route } from '@/lib/http';
import { projectIdParams } from '@/lib/projects/schemas';
import { issueCollabToken } from '@/lib/projects/service';

export const dynamic = 'force-dynamic';

/** A short-lived token for the collab-server carrying the user, the project and their role. */
export const POST = route('projects.collabToken', async ({ req, params }) => {
  const user = await requireUser(req);
  const { id } = await readParams(params, projectIdParams);
  return json(await issueCollabToken(db(), user, id));
});

export const OPTIONS = preflight;
