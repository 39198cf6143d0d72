/**
 * The measuring side of `npm run load` against a real collab-server (child process) on real
 * PostgreSQL: probe clients count their acks and what the others see, and the end-of-run checks
 * find a document that diverged and an edit that was never acknowledged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClients, checkDatabase, settle } from '../../bench/load/verify';
import { newClientStats, ProbeClient, probeValue } from '../../bench/lib/yclients';
import { freePort, waitForPort } from '../../lib/net';
import { startTestDatabase, type TestDatabase } from '../support/services';
import { createProject, SECRET, sleep, userToken, waitFor } from './collab-support';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('load probe clients', () => {
  let db: TestDatabase;
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    db = await startTestDatabase();
    const port = await freePort();
    server = spawn(process.execPath, ['--import', 'tsx', 'collab-server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: '', JWT_SECRET: SECRET, COLLAB_PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'test' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForPort(port, '127.0.0.1', 30_000);
    url = `ws://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    await db?.stop();
  });

  it('counts acks and propagation, and the checks pass only when every acked edit is everywhere', async () => {
    const project = await createProject(db.sql);
    const stats = newClientStats();
    const token = await userToken(project, 'editor');
    const clients = Array.from({ length: 4 }, (_, i) => new ProbeClient({ url, docName: project.work, key: `c${i}`, token: async () => token, stats }));
    const group = [{ docName: project.work, clients }];
    try {
      await waitFor(() => clients.every((c) => c.synced), 20_000, 'sync');
      for (let round = 0; round < 5; round += 1) {
        for (const c of clients) c.edit();
        await sleep(50);
      }
      await settle(group, 20_000);
      expect(stats.edits).toBe(20);
      expect(stats.acks).toBe(20);
      expect(stats.ack.count).toBe(20);
      expect(clients.map((c) => [c.sent, c.acked, c.pending])).toEqual(clients.map(() => [5, 5, 0]));
      // Every other client saw each edit (or a later one of the same writer: updates may batch).
      expect(stats.propagation.count).toBeGreaterThanOrEqual(4 * 3);
      expect(stats.propagation.count).toBeLessThanOrEqual(20 * 3);
      expect(stats.closes.size + stats.authFailures + stats.reconnects).toBe(0);
      expect(checkClients(group)).toEqual({ diverged: [], lostInClients: [], unacknowledged: 0 });
      const stored = await checkDatabase(db.sql, group);
      expect(stored.lostInDatabase).toEqual([]);
      expect(stored.databaseDiffers).toBe(0);

      // A client cut off from the server edits: never acknowledged, never seen by the others.
      clients[3].client.socket.disconnect();
      await waitFor(() => clients[3].client.socket.status === 'disconnected', 5_000, 'disconnect');
      clients[3].edit();
      await sleep(300);
      const after = checkClients(group);
      expect(after.unacknowledged).toBe(1);
      expect(after.diverged).toEqual([project.work]);
      expect(after.lostInClients).toEqual([]);
      expect(probeValue(clients[0].client.doc, 'c3')?.s).toBe(5);
    } finally {
      for (const c of clients) c.destroy();
    }
  });
});
