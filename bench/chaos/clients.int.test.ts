/**
 * The chaos run's measuring instruments, checked against real parts (PostgreSQL, Redis, two
 * collab-servers): a ChaosClient fails over to the other server with its unacknowledged
 * edits, counts an edit as acknowledged only once the server said so, and Workload.verify
 * finds every edit in PostgreSQL — and reports one that is not there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollabServer, type CollabServer } from '../../collab-server/server';
import type { EmbeddedRedis } from '../../lib/redis/embedded';
import { startTestDatabase, startTestRedis, type TestDatabase } from '../../tests/support/services';
import { createProject, SECRET, testLog, userToken, waitFor } from '../../tests/integration/collab-support';
import { Api } from './api';
import { ChaosClient } from './clients';
import { Workload } from './workload';

let db: TestDatabase;
let redis: EmbeddedRedis;
let a: CollabServer;
let b: CollabServer;

beforeAll(async () => {
  db = await startTestDatabase();
  redis = await startTestRedis();
  a = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redis.url, log: testLog, instanceId: 'chaos-test-a' });
  b = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redis.url, log: testLog, instanceId: 'chaos-test-b' });
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
  await db?.stop();
});

describe('chaos clients', () => {
  it('fail over to the other server, keep unacknowledged edits, and verify() finds every edit in PostgreSQL', async () => {
    const project = await createProject(db.sql);
    const token = await userToken(project, 'editor');
    const chaosProject = { owner: { token: '', id: project.users.editor, name: 'editor' }, projectId: project.projectId, docName: project.work };
    // The API is not used: clients are added by hand with their own token.
    const work = new Workload([chaosProject], new Api('http://127.0.0.1:9'), [a.url, b.url]);
    const onA = new ChaosClient({ tag: 'x', projectId: project.projectId, docName: project.work, urls: [a.url, b.url], first: 0, token: async () => token });
    const onB = new ChaosClient({ tag: 'y', projectId: project.projectId, docName: project.work, urls: [a.url, b.url], first: 1, token: async () => token });
    work.clients.push(onA, onB);
    try {
      await waitFor(() => onA.synced && onB.synced, 20_000, 'both synced');
      const first = onA.edit();
      await waitFor(() => first.ackedAt !== null, 20_000, 'first edit acknowledged');

      // Server A goes away: the next edit cannot be acknowledged by it.
      await a.close();
      const offline = onA.edit();
      expect(offline.ackedAt).toBeNull();
      await waitFor(() => onA.allAcked, 30_000, 'client of A acknowledged again after failover');
      expect(onA.socket.configuration.url).toBe(b.url);
      expect(onA.failovers).toBeGreaterThan(0);
      expect(offline.ackedAt).not.toBeNull();
      expect(offline.ackedAt!).toBeGreaterThanOrEqual(offline.at);
      await waitFor(() => onB.has(offline.key), 20_000, 'the edit reached the client on B');

      const clean = await work.verify(db.sql, []);
      expect(clean).toMatchObject({ edits: 2, acked: 2, lostAcked: [], lostLocal: [], diverged: [] });

      // An edit claimed as acknowledged that PostgreSQL does not hold must be reported lost.
      onA.edits.push({ key: 'x:ghost', at: Date.now(), ackedAt: Date.now() });
      const dirty = await work.verify(db.sql, []);
      expect(dirty.lostAcked).toEqual(['x:ghost']);
    } finally {
      work.destroy();
      a = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redis.url, log: testLog, instanceId: 'chaos-test-a2' });
    }
  });
});
