/**
 * Publishes who is connected to each project on this instance, for the dashboard ("who is in
 * it now"). Format and reader: lib/projects/presence.ts.
 *
 * Counted per project and per identity over all their document connections (a studio opens
 * the work and the review document; two tabs are one person). People and agents are published;
 * `service` connections (the web API acting for a user for a moment) are not presence.
 *
 * Each entry carries an expiry that this instance pushes forward every PRESENCE_REFRESH_MS. On
 * a clean stop the entries are removed; after a crash they simply expire. Redis failures are
 * logged and retried by the next beat: presence must never disturb editing.
 */
import type { Extension } from '@hocuspocus/server';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  PRESENCE_REFRESH_MS,
  PRESENCE_TTL_MS,
  presenceKey,
  presenceMember,
  presenceWhoKey,
  type OnlineEntry,
} from '../lib/projects/presence';
import type { Authorization } from './auth';

interface Present {
  entry: OnlineEntry;
  connections: number;
}

export interface PresencePublisher {
  extension: Extension<{ auth?: Authorization }>;
  /** Rewrite every local entry now (the periodic beat; exposed for tests). */
  refresh(): Promise<void>;
  /** Remove this instance's entries and stop the beat. */
  close(): Promise<void>;
}

export function entryFor(auth: Authorization): OnlineEntry | null {
  const { identity } = auth;
  if (identity.role === 'service') return null;
  if (identity.role === 'agent') return { id: identity.sub, name: identity.name, kind: 'agent' };
  if (!identity.userId) return null;
  return { id: identity.userId, name: identity.name, kind: 'human' };
}

export function startPresence(options: { redisUrl: string; instanceId: string; log: Logger; ttlMs?: number; refreshMs?: number }): PresencePublisher {
  const { instanceId, log } = options;
  // Its own connection, failing fast: a Redis outage must not queue presence writes forever.
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', (error: unknown) => log.debug({ err: error }, 'presence: redis connection error'));
  const ttlMs = options.ttlMs ?? PRESENCE_TTL_MS;
  const refreshMs = options.refreshMs ?? PRESENCE_REFRESH_MS;
  /** projectId → identity id → entry and how many document connections hold it. */
  const projects = new Map<string, Map<string, Present>>();
  /** `socketId|documentName` of the connections counted above (a refused one never was). */
  const counted = new Set<string>();
  let closed = false;

  const warn = (error: unknown, what: string) => log.warn({ err: error }, `presence: ${what} failed; the next beat retries`);

  function write(projectId: string, entries: OnlineEntry[]): Promise<unknown> {
    if (entries.length === 0) return Promise.resolve();
    const expires = Date.now() + ttlMs;
    const tx = redis.multi();
    for (const e of entries) {
      const member = presenceMember(instanceId, e.id);
      tx.zadd(presenceKey(projectId), expires, member);
      tx.hset(presenceWhoKey(projectId), member, JSON.stringify(e));
    }
    // Whole keys go away when nobody refreshes them any more.
    tx.pexpire(presenceKey(projectId), ttlMs * 2);
    tx.pexpire(presenceWhoKey(projectId), ttlMs * 2);
    return tx.exec();
  }

  function remove(projectId: string, id: string): Promise<unknown> {
    const member = presenceMember(instanceId, id);
    return redis.multi().zrem(presenceKey(projectId), member).hdel(presenceWhoKey(projectId), member).exec();
  }

  async function prune(projectId: string): Promise<void> {
    // Entries of crashed instances: drop their scores and their descriptions.
    const key = presenceKey(projectId);
    const expired = await redis.zrangebyscore(key, '-inf', Date.now());
    if (expired.length === 0) return;
    await redis.multi().zrem(key, ...expired).hdel(presenceWhoKey(projectId), ...expired).exec();
  }

  async function refresh(): Promise<void> {
    await Promise.all(
      [...projects].map(async ([projectId, people]) => {
        await write(projectId, [...people.values()].map((p) => p.entry));
        await prune(projectId);
      }),
    );
  }

  const timer = setInterval(() => {
    refresh().catch((error: unknown) => warn(error, 'refresh'));
  }, refreshMs);
  timer.unref();

  const extension: Extension<{ auth?: Authorization }> = {
    extensionName: 'koma-presence',

    async connected({ context, socketId, documentName }) {
      const entry = context.auth ? entryFor(context.auth) : null;
      if (!entry || closed || !context.auth) return;
      counted.add(`${socketId}|${documentName}`);
      const projectId = context.auth.projectId;
      let people = projects.get(projectId);
      if (!people) projects.set(projectId, (people = new Map()));
      const present = people.get(entry.id);
      if (present) {
        present.connections += 1;
        return;
      }
      people.set(entry.id, { entry, connections: 1 });
      // Someone arriving is also a good moment to sweep out entries of crashed instances.
      write(projectId, [entry])
        .then(() => prune(projectId))
        .catch((error: unknown) => warn(error, 'publish'));
    },

    async onDisconnect({ context, socketId, documentName }) {
      const entry = context.auth ? entryFor(context.auth) : null;
      if (!entry || !context.auth || !counted.delete(`${socketId}|${documentName}`)) return;
      const projectId = context.auth.projectId;
      const people = projects.get(projectId);
      const present = people?.get(entry.id);
      if (!people || !present) return;
      present.connections -= 1;
      if (present.connections > 0) return;
      people.delete(entry.id);
      if (people.size === 0) projects.delete(projectId);
      remove(projectId, entry.id).catch((error: unknown) => warn(error, 'withdraw'));
    },
  };

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    const all = [...projects].flatMap(([projectId, people]) => [...people.keys()].map((id) => ({ projectId, id })));
    projects.clear();
    await Promise.all(all.map(({ projectId, id }) => remove(projectId, id))).catch((error: unknown) => warn(error, 'withdraw on close'));
    redis.disconnect();
  }

  return { extension, refresh, close };
}
