/**
 * Limits, each refused with a clear close reason: message size, document size, connections per
 * document, documents per connection, the unauthenticated budget, the message rate — and an
 * abusive client does not stop the others. Also: malformed updates are refused and never logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { loadDoc, loadDocState } from '../../lib/db/docstore';
import { startCollabServer, type CollabServer } from '../../collab-server/server';
import { startTestDatabase, type TestDatabase } from '../support/services';
import { clientPool, acked, connect, createProject, SECRET, sleep, synced, testLog, userToken, waitFor, type Client } from './collab-support';

let db: TestDatabase;
let server: CollabServer;
const { open, destroyAll } = clientPool();

beforeAll(async () => {
  db = await startTestDatabase('postgres');
  server = await startCollabServer({
    sql: db.sql,
    secret: SECRET,
    log: testLog,
    limits: {
      maxMessageBytes: 64 * 1024,
      maxDocBytes: 256 * 1024,
      maxConnectionsPerDoc: 3,
      maxDocsPerConnection: 2,
      maxUnauthBytes: 16 * 1024,
      maxUnauthMessages: 20,
      ratePerSec: 50,
      rateBurst: 100,
    },
  });
});

afterAll(async () => {
  destroyAll();
  await server?.close();
  await db?.stop();
});

/** A raw socket speaking the Hocuspocus framing, for clients no provider would be. */
async function rawSocket(): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(server.url);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, closed };
}

function frame(doc: string, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  write(e);
  return encoding.toUint8Array(e);
}

const authFrame = (doc: string, tokenValue: string) =>
  frame(doc, (e) => {
    encoding.writeVarUint(e, 2); // Auth
    encoding.writeVarUint(e, 0); // Token
    encoding.writeVarString(e, tokenValue);
  });

const updateFrame = (doc: string, update: Uint8Array) =>
  frame(doc, (e) => {
    encoding.writeVarUint(e, 0); // Sync
    encoding.writeVarUint(e, 2); // Update
    encoding.writeVarUint8Array(e, update);
  });

describe('collab-server limits', () => {
  it('closes a socket that sends a message over the size limit', async () => {
    const { ws, closed } = await rawSocket();
    ws.send(new Uint8Array(100 * 1024));
    expect(await closed).toMatchObject({ code: 1009 });
  });

  it('closes a socket that floods messages, and other clients keep working', async () => {
    const p = await createProject(db.sql);
    const good = open(server.url, p.work, await userToken(p, 'owner'));
    const watcher = open(server.url, p.work, await userToken(p, 'editor'));
    await Promise.all([synced(good), synced(watcher)]);
    const { ws, closed } = await rawSocket();
    const answers: Buffer[] = [];
    ws.on('message', (data: Buffer) => answers.push(data));
    ws.send(authFrame(p.review, await userToken(p, 'viewer')));
    await waitFor(() => answers.length >= 1, 5_000, 'abuser authenticated');
    await sleep(100);
    const junk = frame(p.review, (e) => encoding.writeVarUint(e, 3)); // QueryAwareness, harmless alone
    for (let i = 0; i < 1000; i += 1) ws.send(junk);
    expect(await closed).toEqual({ code: 4429, reason: 'rate-limited' });
    good.doc.getText('source').insert(0, 'still fine ');
    await acked(good);
    await waitFor(() => watcher.doc.getText('source').toString().startsWith('still fine'), 5_000, 'propagation during abuse');
  });

  it('closes a socket that sends too much before authenticating', async () => {
    const { ws, closed } = await rawSocket();
    const p = await createProject(db.sql);
    for (let i = 0; i < 30; i += 1) ws.send(updateFrame(p.work, new Uint8Array([0, 0])));
    expect(await closed).toEqual({ code: 4413, reason: 'unauthenticated-queue-full' });
  });

  it('refuses a third document on one connection and a fourth connection on one document', async () => {
    const p = await createProject(db.sql);
    const q = await createProject(db.sql);
    const { ws } = await rawSocket();
    const answers: string[] = [];
    ws.on('message', (data: Buffer) => answers.push(data.toString('latin1')));
    ws.send(authFrame(p.work, await userToken(p, 'owner')));
    ws.send(authFrame(p.review, await userToken(p, 'owner')));
    await waitFor(() => answers.length >= 2, 5_000, 'two documents open');
    await sleep(100);
    ws.send(authFrame(q.work, await userToken(q, 'owner')));
    await waitFor(() => answers.some((m) => m.includes('too-many-documents')), 5_000, 'too-many-documents');
    ws.close();

    const conns = [0, 1, 2].map(async () => open(server.url, q.review, await userToken(q, 'editor')));
    const three = await Promise.all(conns);
    await Promise.all(three.map((c) => synced(c)));
    const fourth = open(server.url, q.review, await userToken(q, 'editor'));
    await waitFor(() => fourth.events.authFailed.length > 0, 5_000, 'fourth refused');
    expect(fourth.events.authFailed[0]).toBe('too-many-connections');
  });

  it('refuses a write that would make the document too large, and keeps the document as it was', async () => {
    const p = await createProject(db.sql);
    const c = open(server.url, p.work, await userToken(p, 'owner'));
    await synced(c);
    // Below the message limit each, above the document limit together.
    for (let i = 0; i < 6; i += 1) {
      c.doc.getArray('blobs').push(['x'.repeat(50 * 1024)]);
      await sleep(50);
    }
    await waitFor(() => c.events.closes.some((e) => e.reason === 'document-too-large'), 10_000, 'document-too-large');
    const state = await loadDocState(db.sql, p.work);
    expect(state!.byteLength).toBeLessThanOrEqual(256 * 1024);
  });

  it('refuses a malformed update and logs nothing', async () => {
    const p = await createProject(db.sql);
    const { ws, closed } = await rawSocket();
    const answers: Buffer[] = [];
    ws.on('message', (data: Buffer) => answers.push(data));
    ws.send(authFrame(p.work, await userToken(p, 'owner')));
    await waitFor(() => answers.length >= 1, 5_000, 'authenticated');
    await sleep(100);
    ws.send(updateFrame(p.work, new Uint8Array([5, 200, 1, 7, 7, 7])));
    // The whole socket is closed with the reason (malformed input ends the connection).
    expect(await closed).toEqual({ code: 4400, reason: 'invalid-update' });
    const stored = await loadDoc(db.sql, p.work);
    expect(stored.updates).toHaveLength(0);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await loadDocState(db.sql, p.work))!);
    expect(doc.getText('source').toString()).toBe('Once upon a time.');
    ws.close();
  });

  it('a document whose load failed is refused and never stored', async () => {
    const p = await createProject(db.sql);
    const before = await loadDoc(db.sql, p.work);
    // A damaged row in the log (bytes that are not a Yjs update) makes the load fail.
    await db.sql`INSERT INTO doc_updates (doc_name, project_id, update) VALUES (${p.work}, ${p.projectId}, ${Buffer.from([1, 2, 255])})`;
    const c = open(server.url, p.work, await userToken(p, 'owner'));
    await waitFor(() => c.events.authFailed.length > 0, 5_000, 'load refused');
    expect(c.events.authFailed[0]).toBe('load-failed');
    c.doc.getText('source').insert(0, 'must not be stored ');
    await sleep(500);
    const after = await loadDoc(db.sql, p.work);
    expect(after.snapshot).toEqual(before.snapshot);
    expect(after.updates).toHaveLength(1); // only the damaged row: nothing stored, nothing compacted away
    expect(server.hocuspocus.documents.has(p.work)).toBe(false);
  });
});
