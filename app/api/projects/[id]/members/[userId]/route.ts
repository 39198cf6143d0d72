import { db } from '@/lib/db/client';
import { json, noContent, preflight, readJson, SMALL_BODY_BYTES, readParams, requireUser, route } from '@/lib/http';
import { memberParams, patchMemberBody } from '@/lib/projects/schemas';
import { changeMemberRole, removeMember } from '@/lib/projects/members';

export const dynamic = 'force-dynamic';

export const PATCH = route('members.update', async ({ req, ctx, params }) => {
  const user = await requireUser(req);
  const { id, userId } = await readParams(params, memberParams);
  const { role } = await readJson(req, patchMemberBody, SMALL_BODY_BYTES);
  return json({ member: await changeMemberRole(db(), user, id, userId, role, ctx.ip) });
});

/** Owner removes a member; a member may also remove themselves (leave). */
export const DELETE = route('members.remove', async ({ req, ctx, params }) => {
  const user = await requireUser(req);
  const { id, userId } = await readParams(params, memberParams);
  await removeMember(db(), user, id, userId, ctx.ip);
  return noContent();
});

export const OPTIONS = preflight;
