/**
 * Membership revocation across every collab-server instance. The web API, after it removed a
 * member or lowered a role in PostgreSQL, calls `publishRevocation`; every instance subscribed
 * to `koma:revocations` closes that user's live sockets on that project. The client reconnects
 * and is authorised again from PostgreSQL: refused if removed, read-only if demoted.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const REVOCATION_CHANNEL = 'koma:revocations';

export const revocationSchema = z.object({
  projectId: z.string().uuid(),
  userId: z.string().uuid(),
});
export type Revocation = z.infer<typeof revocationSchema>;

/** Tell every collab-server to drop this user's connections to this project. */
export async function publishRevocation(redis: Pick<Redis, 'publish'>, revocation: Revocation): Promise<number> {
  const message = revocationSchema.parse(revocation);
  return redis.publish(REVOCATION_CHANNEL, JSON.stringify({ projectId: message.projectId.toLowerCase(), userId: message.userId.toLowerCase() }));
}

/** Parse a message from the channel; null when it is not a valid revocation. */
export function parseRevocation(raw: string): Revocation | null {
  try {
    const parsed = revocationSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return null;
    return { projectId: parsed.data.projectId.toLowerCase(), userId: parsed.data.userId.toLowerCase() };
  } catch {
    return null;
  }
}

/**
 * Subscribe `subscriber` (a dedicated connection: a subscribed ioredis client can do nothing
 * else) and call `onRevocation` for each valid message. Resolves once subscribed.
 */
export async function subscribeRevocations(subscriber: Redis, onRevocation: (r: Revocation) => void, onInvalid?: (raw: string) => void): Promise<void> {
  subscriber.on('message', (channel: string, raw: string) => {
    if (channel !== REVOCATION_CHANNEL) return;
    const revocation = parseRevocation(raw);
    if (revocation) onRevocation(revocation);
    else onInvalid?.(raw);
  });
  await subscriber.subscribe(REVOCATION_CHANNEL);
}
