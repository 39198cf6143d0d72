/**
 * "Who is in it now": two real collab-servers on one real Redis publish who is connected to a
 * project; the reader the project list uses (lib/projects/presence.ts) sees people and agents,
 * deduplicated, never service connections, and forgets them when they leave or when the
 * instance that published them stops refreshing (a crash).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startCollabServer, type CollabServer } from '../../collab-server/server';
import { presenceKey, presenceMember, presenceWhoKey, readOnline, readOnlineOrNull } from '../../lib/projects/presence';
import type { EmbeddedRedis } from '../../lib/redis/embedded';
import { startTestDatabase, startTestRedis, type TestDatabase } from '../support/services';
import { clientPool, createProject, SECRET, synced, testLog, token, userToken, waitFor } from './collab-support';

let db: TestDatabase;
let redisServer: EmbeddedRedis;
let a: CollabServer;
let b: CollabServer;
let reader: Redis;
const { open, destroyAll } = clientPool();

beforeAll(async () => {
  db = await startTestDatabase('postgres');
  redisServer = await startTestRedis();
  reader = new Redis(redisServer.url);
  a = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redisServer.url, port: 0, log: testLog, instanceId: 'presence-a' });
  b = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redisServer.url, port: 0, log: testLog, instanceId: 'presence-b' });
});

afterAll(async () => {
  destroyAll();
  await a?.close();
  await b?.close();
  reader?.disconnect();
  await redisServer?.stop();
  await db?.stop();
});

const names = async (projectId: string) => ((await readOnline(reader, [projectId])).get(projectId) ?? []).map((e) => `${e.kind}:${e.name}`);

describe('presence published by collab-servers', () => {
  it('lists people on either instance and agents, once each, and not service connections', async () => {
    const p = await createProject(db.sql);
    expect(await names(p.projectId)).toEqual([]);

    // The owner has the studio open (work + review documents) on instance A, and a second tab on B.
    const ownerWork = open(a.url, p.work, await userToken(p, 'owner'));
    const ownerReview = open(a.url, p.review, await userToken(p, 'owner'));
    const ownerTab2 = open(b.url, p.work, await userToken(p, 'owner'));
    const reviewer = open(b.url, p.review, await userToken(p, 'reviewer'));
    const agent = open(a.url, p.work, await token({ sub: 'agent:job-42', projectId: p.projectId, role: 'agent', name: 'Plot agent', jobId: 'job-42' }));
    const service = open(a.url, p.work, await token({ sub: 'service:web', projectId: p.projectId, role: 'service', name: 'web' }));
    await Promise.all([ownerWork, ownerReview, ownerTab2, reviewer, agent, service].map((c) => synced(c)));

    await waitFor(async () => (await names(p.projectId)).length === 3, 10_000, 'three present');
    expect(await names(p.projectId)).toEqual(['human:owner', 'human:reviewer', 'agent:Plot agent']);
    const entries = (await readOnline(reader, [p.projectId])).get(p.projectId) ?? [];
    expect(entries.find((e) => e.kind === 'human' && e.name === 'owner')?.id).toBe(p.users.owner);

    // Closing one of the owner's documents is not leaving; closing all of them on all instances is.
    ownerReview.destroy();
    ownerTab2.destroy();
    agent.destroy();
    await waitFor(async () => !(await names(p.projectId)).includes('agent:Plot agent'), 10_000, 'agent gone');
    expect(await names(p.projectId)).toContain('human:owner');
    ownerWork.destroy();
    await waitFor(async () => !(await names(p.projectId)).includes('human:owner'), 10_000, 'owner gone');
    expect(await names(p.projectId)).toEqual(['human:reviewer']);
    reviewer.destroy();
    service.destroy();
    await waitFor(async () => (await names(p.projectId)).length === 0, 10_000, 'nobody left');
  });

  it('ignores entries a crashed instance left behind, and a live instance prunes them', async () => {
    const p = await createProject(db.sql);
    // What an instance that died without saying goodbye leaves: an entry whose expiry has passed.
    const ghost = presenceMember('crashed-instance', p.users.editor);
    await reader.zadd(presenceKey(p.projectId), Date.now() - 1_000, ghost);
    await reader.hset(presenceWhoKey(p.projectId), ghost, JSON.stringify({ id: p.users.editor, name: 'editor', kind: 'human' }));
    // And garbage that does not parse is never shown.
    const junk = presenceMember('other', 'x');
    await reader.zadd(presenceKey(p.projectId), Date.now() + 60_000, junk);
    await reader.hset(presenceWhoKey(p.projectId), junk, '{"id":1}');
    expect(await names(p.projectId)).toEqual([]);

    const viewer = open(a.url, p.work, await userToken(p, 'viewer'));
    await synced(viewer);
    await waitFor(async () => (await names(p.projectId)).length === 1, 10_000, 'viewer present');
    expect(await names(p.projectId)).toEqual(['human:viewer']);
    // Instance A sweeps expired entries out of Redis when someone arrives (and on every refresh beat).
    await waitFor(async () => (await reader.zscore(presenceKey(p.projectId), ghost)) === null, 15_000, 'ghost pruned');
    expect(await reader.hget(presenceWhoKey(p.projectId), ghost)).toBeNull();
    viewer.destroy();
  });

  it('a stopped instance withdraws its entries', async () => {
    const p = await createProject(db.sql);
    const c = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redisServer.url, port: 0, log: testLog, instanceId: 'presence-c' });
    const editor = open(c.url, p.work, await userToken(p, 'editor'), { reconnect: false });
    await synced(editor);
    await waitFor(async () => (await names(p.projectId)).length === 1, 10_000, 'editor present');
    await c.close();
    expect(await names(p.projectId)).toEqual([]);
    editor.destroy();
  });

  it('the project list degrades to "unknown" (null) when Redis does not answer, instead of failing', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => {});
    expect(await readOnlineOrNull(() => dead, ['00000000-0000-4000-8000-000000000000'])).toBeNull();
    expect(await readOnlineOrNull(() => reader, [])).toEqual(new Map());
    dead.disconnect();
  });
});
