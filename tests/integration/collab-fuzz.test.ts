/**
 * Convergence fuzz in the style of Yjs' own tests: 8 clients spread over TWO collab-server
 * instances joined through Redis, seeded random edits to text, maps and arrays, random
 * disconnects and reconnects; at the end every client, and the state stored in PostgreSQL,
 * must be the same document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { loadDocState } from '../../lib/db/docstore';
import type { EmbeddedRedis } from '../../lib/redis/embedded';
import { startCollabServer, type CollabServer } from '../../collab-server/server';
import { startTestDatabase, startTestRedis, type TestDatabase } from '../support/services';
import { acked, connect, createProject, SECRET, sleep, synced, testLog, userToken, waitFor, type Client } from './collab-support';
import { mulberry32 as rng } from '../../lib/rng';


function randomEdit(doc: Y.Doc, random: () => number, tag: string): void {
  const int = (n: number) => Math.floor(random() * n);
  const choice = int(6);
  const text = doc.getText('source');
  const map = doc.getMap<unknown>('fields');
  const arr = doc.getArray<string>('items');
  doc.transact(() => {
    switch (choice) {
      case 0:
      case 1:
        text.insert(int(text.length + 1), `${tag}${'abcdefgh'[int(8)]}`);
        break;
      case 2:
        if (text.length > 0) {
          const at = int(text.length);
          text.delete(at, Math.min(1 + int(3), text.length - at));
        }
        break;
      case 3:
        if (random() < 0.8) map.set(`k${int(6)}`, `${tag}:${int(1000)}`);
        else map.delete(`k${int(6)}`);
        break;
      case 4:
        arr.insert(int(arr.length + 1), [`${tag}`]);
        break;
      default:
        if (arr.length > 0) arr.delete(int(arr.length), 1);
    }
  });
}

let db: TestDatabase;
let redis: EmbeddedRedis;
let a: CollabServer;
let b: CollabServer;

beforeAll(async () => {
  db = await startTestDatabase('postgres');
  redis = await startTestRedis();
  a = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redis.url, log: testLog, instanceId: 'fuzz-a' });
  b = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redis.url, log: testLog, instanceId: 'fuzz-b' });
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
  await db?.stop();
});

describe.each([1, 2, 3])('convergence fuzz, seed %i', (seed) => {
  it('8 clients on two instances with random edits and reconnects end equal, and equal to PostgreSQL', async () => {
    const random = rng(seed * 7919);
    const project = await createProject(db.sql);
    const clients: Client[] = [];
    for (let i = 0; i < 8; i += 1) {
      const server = i % 2 === 0 ? a : b;
      clients.push(connect(server.url, project.work, await userToken(project, i % 3 === 0 ? 'owner' : 'editor')));
    }
    try {
      await Promise.all(clients.map((c) => synced(c, 20_000)));
      const online = clients.map(() => true);
      for (let step = 0; step < 300; step += 1) {
        const i = Math.floor(random() * clients.length);
        const roll = random();
        // Only drop an open socket: ws reports closing a still-connecting socket as an error.
        if (roll < 0.04 && online[i] && clients[i].socket.status === 'connected') {
          clients[i].socket.disconnect();
          online[i] = false;
        } else if (roll < 0.1 && !online[i]) {
          void clients[i].socket.connect();
          online[i] = true;
        } else {
          randomEdit(clients[i].doc, random, `c${i}s${step}`);
        }
        if (step % 25 === 0) await sleep(5 + Math.floor(random() * 30));
      }
      // Bring everyone back. A provider whose close raced its own reconnect can sit in
      // 'disconnected' (a client-side race, not the server's): nudge it like a browser would.
      await waitFor(
        () => {
          for (const c of clients) if (c.socket.status === 'disconnected') void c.socket.connect();
          return clients.every((c) => c.provider.isSynced && c.provider.unsyncedChanges === 0);
        },
        30_000,
        'every client synced',
      ).catch((error: Error) => {
        const states = clients.map((c, i) => ({ i, status: c.socket.status, synced: c.provider.isSynced, unsynced: c.provider.unsyncedChanges, auth: c.provider.isAuthenticated, closes: c.events.closes.length, failed: c.events.authFailed }));
        throw new Error(`${error.message}: ${JSON.stringify(states)}`);
      });
      await Promise.all(clients.map((c) => acked(c, 30_000)));
      // Canonical form: Y.Map iteration order is insertion order on each replica, so sort keys.
      const canonical = (d: Y.Doc) =>
        JSON.stringify([d.getText('source').toString(), Object.entries(d.getMap('fields').toJSON()).sort(([x], [y]) => x.localeCompare(y)), d.getArray('items').toJSON()]);
      const same = () => {
        const first = canonical(clients[0].doc);
        return clients.every((c) => canonical(c.doc) === first);
      };
      await waitFor(same, 15_000, 'all clients equal').catch(async (error: Error) => {
        const stored = new Y.Doc();
        Y.applyUpdate(stored, (await loadDocState(db.sql, project.work))!);
        const summary = (d: Y.Doc) => `text=${d.getText('source').length} map=${JSON.stringify(d.getMap('fields').toJSON())} items=${d.getArray('items').length} sv=${JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(d))].sort((x, y) => x[0] - y[0]).map(([k, v]) => `${k % 1000}:${v}`))}`;
        const views = clients.map((c, i) => `${i}${i % 2 === 0 ? 'A' : 'B'}: ${summary(c.doc)}`);
        const mem = [a, b].map((srv) => { const d = srv.hocuspocus.documents.get(project.work); return d ? summary(d) : 'not loaded'; });
        throw new Error(`${error.message}\n${views.join('\n')}\nserverA: ${mem[0]}\nserverB: ${mem[1]}\nstored: ${summary(stored)}`);
      });
      const reference = clients[0].doc;
      for (const c of clients) {
        expect(c.doc.getText('source').toString()).toBe(reference.getText('source').toString());
        expect(c.doc.getMap('fields').toJSON()).toEqual(reference.getMap('fields').toJSON());
        expect(c.doc.getArray('items').toJSON()).toEqual(reference.getArray('items').toJSON());
      }
      // Every client acked everything: PostgreSQL holds exactly the same document.
      const stored = new Y.Doc();
      Y.applyUpdate(stored, (await loadDocState(db.sql, project.work))!);
      expect(stored.getText('source').toString()).toBe(reference.getText('source').toString());
      expect(stored.getMap('fields').toJSON()).toEqual(reference.getMap('fields').toJSON());
      expect(stored.getArray('items').toJSON()).toEqual(reference.getArray('items').toJSON());
    } finally {
      for (const c of clients) c.destroy();
    }
  });
});
