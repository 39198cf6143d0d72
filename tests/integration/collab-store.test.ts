/**
 * The document store (lib/db/docstore.ts) on real PostgreSQL and PGlite, and the durable
 * writer (collab-server/store.ts) through a real outage: a TCP proxy in front of PostgreSQL
 * that we cut and restore.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createDb } from '../../lib/db/client';
import {
  appendUpdates,
  compactDoc,
  deleteProjectDocs,
  loadDoc,
  loadDocState,
  parseDocName,
  reviewDocName,
  storeInitialSnapshot,
  workDocName,
} from '../../lib/db/docstore';
import { freePort } from '../../lib/net';
import { collabMetrics } from '../../collab-server/metrics';
import { startCollabServer } from '../../collab-server/server';
import { DurableStore, StoreUnavailableError } from '../../collab-server/store';
import { startTestDatabase, testDbKinds, type TestDatabase } from '../support/services';
import { acked, connect, createProject, SECRET, sleep, synced, testLog, userToken, waitFor } from './collab-support';

const kinds = await testDbKinds();

function textUpdate(base: Y.Doc, edit: (d: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(base);
  edit(base);
  return Y.encodeStateAsUpdate(base, before);
}

describe.each(kinds)('docstore on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('names documents canonically', () => {
    const id = '8f0c2a4e-6b1d-4c3e-9a7f-0123456789ab';
    expect(workDocName(id)).toBe(`project:${id}`);
    expect(reviewDocName(id)).toBe(`project:${id}:review`);
    expect(parseDocName(`project:${id}`)).toEqual({ projectId: id, kind: 'work' });
    expect(parseDocName(`project:${id}:review`)).toEqual({ projectId: id, kind: 'review' });
    expect(parseDocName(`project:${id.toUpperCase()}`)).toBeNull();
    expect(parseDocName(`project:${id}:other`)).toBeNull();
    expect(parseDocName('anything')).toBeNull();
  });

  it('seeds once, appends, loads snapshot + tail, compacts, and deletes', async () => {
    const p = await createProject(db.sql, { seed: false });
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'seed');
    expect(await storeInitialSnapshot(db.sql, p.work, p.projectId, Y.encodeStateAsUpdate(doc))).toBe(true);
    const other = new Y.Doc();
    other.getText('t').insert(0, 'SECOND SEED');
    expect(await storeInitialSnapshot(db.sql, p.work, p.projectId, Y.encodeStateAsUpdate(other))).toBe(false);

    const u1 = textUpdate(doc, (d) => d.getText('t').insert(4, ' one'));
    const u2 = textUpdate(doc, (d) => d.getText('t').insert(8, ' two'));
    const seqs = await appendUpdates(db.sql, [
      { docName: p.work, projectId: p.projectId, update: u1 },
      { docName: p.work, projectId: p.projectId, update: u2 },
    ]);
    expect(seqs).toHaveLength(2);
    const loaded = await loadDoc(db.sql, p.work);
    expect(loaded.snapshot).not.toBeNull();
    expect(loaded.updates).toHaveLength(2);
    const check = new Y.Doc();
    Y.applyUpdate(check, (await loadDocState(db.sql, p.work))!);
    expect(check.getText('t').toString()).toBe('seed one two');

    // A row that commits "late" (after compaction read the log) must survive compaction:
    // compaction deletes exactly the rows it merged.
    const r = await compactDoc(db.sql, p.work);
    expect(r.merged).toBe(2);
    const u3 = textUpdate(doc, (d) => d.getText('t').insert(0, '>'));
    await appendUpdates(db.sql, [{ docName: p.work, projectId: p.projectId, update: u3 }]);
    const after = await loadDoc(db.sql, p.work);
    expect(after.updates).toHaveLength(1);
    const again = new Y.Doc();
    Y.applyUpdate(again, (await loadDocState(db.sql, p.work))!);
    expect(again.getText('t').toString()).toBe('>seed one two');

    await deleteProjectDocs(db.sql, p.projectId);
    const gone = await loadDoc(db.sql, p.work);
    expect(gone.snapshot).toBeNull();
    expect(gone.updates).toHaveLength(0);
  });

  it('refuses to seed with garbage or for another project', async () => {
    const p = await createProject(db.sql, { seed: false });
    await expect(storeInitialSnapshot(db.sql, p.work, p.projectId, new Uint8Array([9, 9, 9]))).rejects.toThrow();
    const q = await createProject(db.sql, { seed: false });
    await expect(storeInitialSnapshot(db.sql, q.work, p.projectId, Y.encodeStateAsUpdate(new Y.Doc()))).rejects.toThrow(/not a document of project/);
  });

  it('concurrent appends and compactions never lose an update', async () => {
    const p = await createProject(db.sql);
    const writers = Array.from({ length: 4 }, () => new Y.Doc());
    const all: number[] = [];
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 80; i += 1) {
      const w = writers[i % writers.length];
      const u = textUpdate(w, (d) => d.getArray('a').push([i]));
      all.push(i);
      work.push(appendUpdates(db.sql, [{ docName: p.work, projectId: p.projectId, update: u }]));
      if (i % 20 === 10) work.push(compactDoc(db.sql, p.work));
    }
    await Promise.all(work);
    await compactDoc(db.sql, p.work);
    const d = new Y.Doc();
    Y.applyUpdate(d, (await loadDocState(db.sql, p.work))!);
    expect([...d.getArray<number>('a').toArray()].sort((x, y) => x - y)).toEqual(all);
  });
});

/** A TCP proxy to PostgreSQL that can be cut (open sockets destroyed, new ones reset). */
async function startProxy(targetPort: number) {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    port,
    async up() {
      cut = false;
    },
    async down() {
      cut = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close() {
      server.close();
    },
  };
}

describe('storage outage (real PostgreSQL behind a proxy we cut)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase('postgres');
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('retries with backoff, counts failures, gives up on client updates at the deadline', async () => {
    const p = await createProject(db.sql);
    const target = Number(new URL(db.url).port || 5432);
    const proxy = await startProxy(target);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const sql = createDb(url.toString(), { max: 2 });
    const store = new DurableStore({ sql, log: testLog, clientDeadlineMs: 600 });
    const failuresBefore = (await collabMetrics().storeFailures.get()).values.reduce((n, v) => n + v.value, 0);
    try {
      const u = (n: number) => textUpdate(new Y.Doc(), (d) => d.getArray('x').push([n]));
      await store.appendClient({ docName: p.work, projectId: p.projectId, update: u(1) });
      await proxy.down();
      // A client update during the outage is refused at its deadline (never acked).
      await expect(store.appendClient({ docName: p.work, projectId: p.projectId, update: u(2) })).rejects.toBeInstanceOf(StoreUnavailableError);
      // A server-side update is retried until PostgreSQL is back.
      store.trackDoc(p.work, 0, 0);
      const server = store.appendServer({ docName: p.work, projectId: p.projectId, update: u(3) });
      await sleep(400);
      expect(store.hasPending(p.work)).toBe(true);
      await proxy.up();
      await server;
      await store.flushDoc(p.work);
      const d = new Y.Doc();
      Y.applyUpdate(d, (await loadDocState(db.sql, p.work))!);
      // 1 and 3 are stored. The refused 2 may be too: an INSERT already handed to postgres.js
      // is not withdrawn, so it can commit once PostgreSQL is back (seen on a loaded CI machine).
      // That is the contract, not a loss: 2 was never acknowledged, its client resends it, and
      // Yjs applies an update once however often it is stored.
      expect([...d.getArray<number>('x').toArray()].filter((n) => n !== 2).sort()).toEqual([1, 3]);
      const failuresAfter = (await collabMetrics().storeFailures.get()).values.reduce((n, v) => n + v.value, 0);
      expect(failuresAfter).toBeGreaterThan(failuresBefore);
    } finally {
      await proxy.up();
      await sql.end({ timeout: 1 });
      proxy.close();
    }
  });

  it('an edit made during an outage is not acknowledged, and is saved once PostgreSQL is back', async () => {
    const p = await createProject(db.sql);
    const target = Number(new URL(db.url).port || 5432);
    const proxy = await startProxy(target);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const sql = createDb(url.toString(), { max: 4 });
    const server = await startCollabServer({ sql, secret: SECRET, log: testLog, storeDeadlineMs: 800 });
    const c = connect(server.url, p.work, await userToken(p, 'editor'));
    try {
      await synced(c);
      await proxy.down();
      c.doc.getText('source').insert(0, 'during outage ');
      await sleep(1_200);
      expect(c.provider.unsyncedChanges).toBeGreaterThan(0);
      const s1 = new Y.Doc();
      Y.applyUpdate(s1, (await loadDocState(db.sql, p.work))!);
      expect(s1.getText('source').toString()).toBe('Once upon a time.');
      await proxy.up();
      // The provider resyncs (its document still has the edit) and now gets a durable ack.
      await waitFor(() => c.socket.status === 'connected' && c.provider.isSynced, 20_000, 'resync').catch((error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify({ status: c.socket.status, synced: c.provider.isSynced, events: c.events })}`);
      });
      await acked(c, 20_000);
      const s2 = new Y.Doc();
      Y.applyUpdate(s2, (await loadDocState(db.sql, p.work))!);
      expect(s2.getText('source').toString()).toBe('during outage Once upon a time.');
    } finally {
      c.destroy();
      await proxy.up();
      await server.close();
      await sql.end({ timeout: 1 });
      proxy.close();
    }
  });
});
