import { db } from '@/lib/db/client';
import { json, preflight, readJson, SMALL_BODY_BYTES, readParams, requireUser, route } from '@/lib/http';
import { addMemberBody, projectIdParams } from '@/lib/projects/schemas';
import { addMember, listMembers } from '@/lib/projects/members';

export const dynamic = 'force-dynamic';

export const GET = route('members.list', async ({ req, params }) => {
  const user = await requireUser(req);
  const { id } = await readParams(params, projectIdParams);
  return json({ members: await listMembers(db(), user, id) });
});

export const POST = route('members.add', async ({ req, ctx, params }) => {
  const user = await requireUser(req);
  const { id } = await readParams(params, projectIdParams);
  const input = await readJson(req, addMemberBody, SMALL_BODY_BYTES);
  return json({ member: await addMember(db(), user, id, input, ctx.ip) }, 201);
});

export const OPTIONS = preflight;
