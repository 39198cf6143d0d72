/**
 * Who is in a project right now, as the collab-servers publish it in Redis and the project list
 * reads it. One writer (collab-server/presence.ts) and one reader (here) share this format:
 *
 *   koma:presence:<projectId>        sorted set: member `<instanceId>|<sub>`, score = expiry (ms)
 *   koma:presence:<projectId>:who    hash: the same member → JSON {id, name, kind}
 *
 * Each entry expires unless its collab-server refreshes it, so an instance that crashed (and
 * never said goodbye) drops out of everyone's dashboard within one TTL. The reader ignores
 * expired scores; writers prune them.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { logger } from '../log';
import { withDeadline } from '../deadline';

export const PRESENCE_TTL_MS = 30_000;
/** How often an instance rewrites its entries: a few times per TTL, so one missed beat is fine. */
export const PRESENCE_REFRESH_MS = 10_000;

export const presenceKey = (projectId: string) => `koma:presence:${projectId}`;
export const presenceWhoKey = (projectId: string) => `koma:presence:${projectId}:who`;
export const presenceMember = (instanceId: string, sub: string) => `${instanceId}|${sub}`;

export const onlineEntry = z.object({
  /** User id, or `agent:<jobId>` for a phase agent. */
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  kind: z.enum(['human', 'agent']),
});
export type OnlineEntry = z.infer<typeof onlineEntry>;

/**
 * Everyone present in each project (deduplicated across instances and tabs), people first.
 * Redis errors are not swallowed here: the caller decides what "unknown" looks like.
 */
export async function readOnline(redis: Redis, projectIds: readonly string[]): Promise<Map<string, OnlineEntry[]>> {
  const out = new Map<string, OnlineEntry[]>();
  if (projectIds.length === 0) return out;
  const now = Date.now();
  const live = redis.pipeline();
  for (const id of projectIds) live.zrangebyscore(presenceKey(id), now, '+inf');
  const liveResults = (await live.exec()) ?? [];
  const wanted: { projectId: string; members: string[] }[] = [];
  projectIds.forEach((projectId, i) => {
    const [error, members] = liveResults[i] ?? [null, []];
    if (error) throw error;
    if (Array.isArray(members) && members.length > 0) wanted.push({ projectId, members: members.map(String) });
  });
  if (wanted.length === 0) return out;
  const who = redis.pipeline();
  for (const w of wanted) who.hmget(presenceWhoKey(w.projectId), ...w.members);
  const whoResults = (await who.exec()) ?? [];
  wanted.forEach((w, i) => {
    const [error, values] = whoResults[i] ?? [null, []];
    if (error) throw error;
    const byId = new Map<string, OnlineEntry>();
    for (const raw of Array.isArray(values) ? values : []) {
      const entry = parseEntry(raw);
      if (entry && !byId.has(entry.id)) byId.set(entry.id, entry);
    }
    const list = [...byId.values()].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'human' ? -1 : 1));
    if (list.length > 0) out.set(w.projectId, list);
  });
  return out;
}

function parseEntry(raw: unknown): OnlineEntry | null {
  if (typeof raw !== 'string') return null;
  try {
    const parsed = onlineEntry.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * For the project list: presence is a nicety, so a slow or absent Redis must not take the
 * dashboard down. Returns null ("unknown", shown as such) after a short deadline.
 */
export async function readOnlineOrNull(redis: () => Redis, projectIds: readonly string[], deadlineMs = 500): Promise<Map<string, OnlineEntry[]> | null> {
  try {
    return await withDeadline(readOnline(redis(), projectIds), deadlineMs, () => new Error('presence read timed out'));
  } catch (error) {
    logger().warn({ err: error }, 'could not read presence; the project list says it is unknown');
    return null;
  }
}
