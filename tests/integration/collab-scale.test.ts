/**
 * Two collab-server instances joined through Redis (@hocuspocus/extension-redis): clients on
 * different instances converge, a server-side write on one reaches the other and is durable,
 * a revocation closes the member's sockets on every instance, and compaction keeps the
 * document whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import * as Y from 'yjs';
import { compactDoc, loadDoc, loadDocState } from '../../lib/db/docstore';
import type { EmbeddedRedis } from '../../lib/redis/embedded';
import { startCollabServer, type CollabServer } from '../../collab-server/server';
import { publishRevocation } from '../../collab-server/revocation';
import { startTestDatabase, startTestRedis, type TestDatabase } from '../support/services';
import { clientPool, acked, connect, createProject, SECRET, synced, testLog, userToken, waitFor, type Client } from './collab-support';

let db: TestDatabase;
let redis: EmbeddedRedis;
let a: CollabServer;
let b: CollabServer;
let publisher: Redis;
const { open, destroyAll } = clientPool();

beforeAll(async () => {
  db = await startTestDatabase('postgres');
  redis = await startTestRedis();
  publisher = new Redis(redis.url);
  a = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redis.url, log: testLog, instanceId: 'scale-a', compactEveryUpdates: 50 });
  b = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redis.url, log: testLog, instanceId: 'scale-b', compactEveryUpdates: 50 });
});

afterAll(async () => {
  destroyAll();
  await Promise.all([a?.close(), b?.close()]);
  publisher?.disconnect();
  await redis?.stop();
  await db?.stop();
});

async function stored(name: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, (await loadDocState(db.sql, name))!);
  return doc;
}

describe('two instances through Redis', () => {
  it('a client on A and a client on B converge, both ways', async () => {
    const p = await createProject(db.sql);
    const onA = open(a.url, p.work, await userToken(p, 'owner'));
    const onB = open(b.url, p.work, await userToken(p, 'editor'));
    await Promise.all([synced(onA), synced(onB)]);
    onB.doc.getText('source').insert(0, 'from B. ');
    await waitFor(() => onA.doc.getText('source').toString().startsWith('from B.'), 10_000, 'B → A');
    onA.doc.getMap('meta').set('title', 'from A');
    await waitFor(() => onB.doc.getMap('meta').get('title') === 'from A', 10_000, 'A → B');
    await Promise.all([acked(onA), acked(onB)]);
    const s = await stored(p.work);
    expect(s.getText('source').toString()).toBe('from B. Once upon a time.');
    expect(s.getMap('meta').get('title')).toBe('from A');
    // Each instance logged only what its own clients sent: no double logging.
    const log = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM doc_updates WHERE doc_name = ${p.work}`;
    expect(log[0].n).toBeLessThanOrEqual(4);
  });

  it('a server-side write on B is durable when transact resolves and reaches clients on A', async () => {
    const p = await createProject(db.sql);
    const onA = open(a.url, p.work, await userToken(p, 'viewer'));
    await waitFor(() => onA.provider.isSynced, 10_000, 'viewer sync');
    await b.transact(p.work, (doc) => {
      doc.getMap('phases').set('plot', 'running');
    });
    expect((await stored(p.work)).getMap('phases').get('plot')).toBe('running');
    await waitFor(() => onA.doc.getMap('phases').get('plot') === 'running', 10_000, 'server write → A');
    const rows = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM doc_updates WHERE doc_name = ${p.work}`;
    expect(rows[0].n).toBe(1);
  });

  it('a revocation closes the member on every instance', async () => {
    const p = await createProject(db.sql);
    const t = await userToken(p, 'editor');
    const onA = open(a.url, p.work, t);
    const onB = open(b.url, p.review, t);
    await Promise.all([synced(onA), synced(onB)]);
    await db.sql`DELETE FROM memberships WHERE project_id = ${p.projectId} AND user_id = ${p.users.editor}`;
    await publishRevocation(publisher, { projectId: p.projectId, userId: p.users.editor });
    await waitFor(() => onA.events.closes.some((c) => c.reason === 'membership-revoked'), 3_000, 'closed on A');
    await waitFor(() => onB.events.closes.some((c) => c.reason === 'membership-revoked'), 3_000, 'closed on B');
    // Other members are untouched.
  });

  it('compaction folds the log into the snapshot and the document stays whole', async () => {
    const p = await createProject(db.sql);
    const onA = open(a.url, p.work, await userToken(p, 'owner'));
    const onB = open(b.url, p.work, await userToken(p, 'editor'));
    await Promise.all([synced(onA), synced(onB)]);
    for (let i = 0; i < 120; i += 1) {
      (i % 2 ? onA : onB).doc.getArray('items').push([i]);
      if (i % 10 === 0) await acked(i % 2 ? onA : onB);
    }
    await Promise.all([acked(onA), acked(onB)]);
    await waitFor(async () => (await loadDoc(db.sql, p.work)).updates.length < 120, 10_000, 'background compaction');
    await compactDoc(db.sql, p.work);
    const after = await loadDoc(db.sql, p.work);
    expect(after.updates.length).toBe(0);
    const s = await stored(p.work);
    expect([...s.getArray<number>('items').toArray()].sort((x, y) => x - y)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(s.getText('source').toString()).toBe('Once upon a time.');
  });
});
