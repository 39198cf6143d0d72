/**
 * "Nothing acknowledged is lost": the collab-server runs as a child process (the real
 * `collab-server/main.ts`), a client edits and waits for the ack, the client is destroyed and
 * the server is SIGKILLed at once; after a restart every acknowledged edit is there.
 * Repeated, on real PostgreSQL and on PGlite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { loadDocState } from '../../lib/db/docstore';
import { freePort, waitForPort } from '../../lib/net';
import { startTestDatabase, testDbKinds, type TestDatabase } from '../support/services';
import { acked, connect, createProject, SECRET, synced, userToken, waitFor } from './collab-support';

const ROOT = path.resolve(import.meta.dirname, '../..');
const kinds = await testDbKinds();

interface Child {
  process: ChildProcess;
  url: string;
  stderr: string[];
}

async function startChild(databaseUrl: string, port: number): Promise<Child> {
  const stderr: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'collab-server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: '',
      JWT_SECRET: SECRET,
      COLLAB_PORT: String(port),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  await waitForPort(port, '127.0.0.1', 30_000);
  return { process: child, url: `ws://127.0.0.1:${port}`, stderr };
}

function sigkill(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

describe.each(kinds)('durability across SIGKILL (%s)', (kind) => {
  let db: TestDatabase;
  let child: Child | undefined;

  beforeAll(async () => {
    db = await startTestDatabase(kind);
  });
  afterAll(async () => {
    if (child) await sigkill(child);
    await db?.stop();
  });

  it('every acknowledged edit survives an immediate SIGKILL, round after round', async () => {
    const project = await createProject(db.sql);
    const port = await freePort();
    const rounds = kind === 'postgres' ? 3 : 1;
    const expected: string[] = [];
    for (let round = 0; round < rounds; round += 1) {
      child = await startChild(db.url, port);
      const client = connect(child.url, project.work, await userToken(project, 'editor'));
      await synced(client, 20_000);
      // Everything acknowledged in earlier rounds is there after the restart.
      const list = client.doc.getArray<string>('log');
      expect(list.toArray()).toEqual(expected);
      // A burst of edits, then the ack (unsyncedChanges back to 0), then kill at once.
      for (let i = 0; i < 15; i += 1) {
        const entry = `r${round}-e${i}`;
        list.push([entry]);
        client.doc.getMap('meta').set(`k${round}`, i);
        client.doc.getText('source').insert(0, `${entry} `);
        expected.push(entry);
      }
      await acked(client, 20_000);
      client.destroy();
      await sigkill(child);
      child = undefined;

      const state = await loadDocState(db.sql, project.work);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, state!);
      expect(doc.getArray('log').toArray()).toEqual(expected);
      expect(doc.getMap('meta').get(`k${round}`)).toBe(14);
    }
    // One last restart: a fresh client sees it all through the server.
    child = await startChild(db.url, port);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', postgres: 'ok', redis: 'disabled' });
    const metricsText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const name of ['koma_collab_connections', 'koma_collab_loaded_documents', 'koma_collab_updates_total', 'koma_collab_durable_ack_seconds', 'koma_collab_store_failures_total', 'koma_collab_compaction_seconds']) {
      expect(metricsText).toContain(name);
    }
    const last = connect(child.url, project.work, await userToken(project, 'viewer'));
    await synced(last, 20_000).catch(() => undefined);
    await waitFor(() => last.doc.getArray('log').length === expected.length, 20_000, 'full document after restart');
    expect(last.doc.getArray('log').toArray()).toEqual(expected);
    expect(last.doc.getText('source').toString()).toContain('Once upon a time.');
    // A graceful stop (SIGTERM) closes the connections, flushes and exits 0.
    const exited = new Promise<number | null>((resolve) => child!.process.once('exit', (code) => resolve(code)));
    child.process.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
    last.destroy();
  });
});
