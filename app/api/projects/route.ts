import { db } from '@/lib/db/client';
import { json, preflight, readJsonOrForm, requireUser, route } from '@/lib/http';
import { createProjectBody } from '@/lib/projects/schemas';
import { createProject, listProjectsWithPresence } from '@/lib/projects/service';
import { sourceTextBinary } from '@/lib/projects/source-text';

export const dynamic = 'force-dynamic';

/** JSON, or multipart so `curl -F sourceText=@story.txt` uploads a file as is. */
export const POST = route('projects.create', async ({ req, ctx }) => {
  const user = await requireUser(req);
  const input = await readJsonOrForm(req, createProjectBody, {
    onBinaryFile: (field) => (field === 'sourceText' ? sourceTextBinary() : undefined),
  });
  const project = await createProject(db(), user, input, ctx.ip);
  return json({ id: project.id, docName: project.docName, reviewDocName: project.reviewDocName, project }, 201, {
    Location: `/api/projects/${project.id}`,
  });
});

export const GET = route('projects.list', async ({ req }) => {
  const user = await requireUser(req);
  return json({ projects: await listProjectsWithPresence(db(), user) });
});

export const OPTIONS = preflight;
