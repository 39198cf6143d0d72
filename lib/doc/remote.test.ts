import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Server } from '@hocuspocus/server';
import { openRemoteDoc, RemoteDocError, type RemoteDoc } from './remote';
import { appendBranchProse, createBranch, fragmentToText, proseFragment, createSeedUpdate, getSourceText, listBranches, readBranchContent, writeBranchContent, type ProjectInit } from './project-doc';
import { workDocName } from './names';
import { SAMPLE_OUTPUTS } from './samples';

const PROJECT = '3f0c6a52-8d1e-4b7a-9c2d-1e2f3a4b5c6d';
const INIT: ProjectInit = { projectId: PROJECT, title: 't', language: 'en', readingDirection: 'ltr', pageFormat: 'A5', sourceText: 'A lighthouse.' };
const NAME = workDocName(PROJECT);

// A unit-level, in-memory Hocuspocus: it seeds new docs on load the way the real collab-server
// does (createSeedUpdate), and maps tokens to access so auth paths can be exercised.
let server: Server;
let url: string;
const opened: RemoteDoc[] = [];

beforeAll(async () => {
  server = new Server({
    port: 0,
    quiet: true,
    stopOnSignals: false,
    async onAuthenticate({ token, connectionConfig }) {
      if (token === 'readonly') connectionConfig.readOnly = true;
      else if (token !== 'good') throw new Error('forbidden');
    },
    async onLoadDocument({ document }) {
      Y.applyUpdate(document, createSeedUpdate(INIT));
    },
  });
  await server.listen();
  url = `ws://127.0.0.1:${server.address.port}`;
});

afterAll(async () => {
  for (const r of opened) r.close();
  await server.destroy();
});

function open(token: string, extra: Partial<Parameters<typeof openRemoteDoc>[0]> = {}): RemoteDoc {
  const r = openRemoteDoc({ url, token, docName: NAME, ...extra });
  opened.push(r);
  return r;
}

describe('openRemoteDoc against an in-process Hocuspocus', () => {
  it('an agent syncs, writes a streamed branch, and flush() resolves once the server has it', async () => {
    const agent = open('good', { user: { name: 'Plot agent', color: '#ff8800', kind: 'agent', phase: 'plot' } });
    await agent.synced;
    expect(getSourceText(agent.doc)).toBe('A lighthouse.');
    const { branch } = createBranch(agent.doc, 'plot', { id: 'job-1', origin: { kind: 'agent', id: 'agent:job-1', name: 'Plot agent' }, jobId: 'job-1' });
    appendBranchProse(agent.doc, 'plot', branch.id, 'outline', 'Act one');
    appendBranchProse(agent.doc, 'plot', branch.id, 'outline', '.\n\nAct two.');
    writeBranchContent(agent.doc, 'plot', branch.id, SAMPLE_OUTPUTS.plot);
    expect(agent.provider.unsyncedChanges).toBeGreaterThan(0);
    await agent.flush();
    expect(agent.provider.unsyncedChanges).toBe(0);
    const serverDoc = server.hocuspocus.documents.get(NAME)!;
    expect(readBranchContent(serverDoc, 'plot', 'job-1')).toEqual(SAMPLE_OUTPUTS.plot);
    await agent.flush(); // nothing pending: resolves at once
  });

  it('a second collaborator sees the branch and the agent in presence', async () => {
    const agent = open('good', { user: { name: 'Name agent', color: '#00aa88', kind: 'agent', phase: 'name' } });
    const person = open('good', { user: { name: 'Mara', color: '#3355ff', kind: 'human' } });
    await Promise.all([agent.synced, person.synced]);
    expect(listBranches(person.doc, 'plot').map((b) => b.id)).toEqual(['job-1']);
    agent.setPresence({ progress: 0.5, message: 'laying out page 2' });
    await expect
      .poll(() => Array.from(person.awareness.getStates().values()).map((s) => s.user).find((u) => u?.name === 'Name agent'))
      .toMatchObject({ kind: 'agent', phase: 'name', progress: 0.5, message: 'laying out page 2', color: '#00aa88' });
    // retried job on another connection: still one branch
    createBranch(person.doc, 'plot', { id: 'job-1', origin: { kind: 'agent', id: 'agent:job-1', name: 'Plot agent' } });
    await person.flush();
    expect(listBranches(server.hocuspocus.documents.get(NAME)!, 'plot')).toHaveLength(1);
  });

  it('batching: many streamed chunks go out as few messages, and flush() sends the batch at once', async () => {
    const r = open('good', { batchMs: 5_000 });
    await r.synced;
    let updates = 0;
    r.provider.on('outgoingMessage', ({ message }: { message: { constructor: { name: string } } }) => {
      if (message.constructor.name === 'UpdateMessage') updates++;
    });
    const { branch } = createBranch(r.doc, 'concept', { id: 'batched', origin: { kind: 'agent', id: 'agent:b', name: 'Concept agent' } });
    for (let i = 0; i < 50; i++) appendBranchProse(r.doc, 'concept', branch.id, 'synopsis', `word${i} `);
    expect(updates).toBe(0);
    await r.flush(); // well before the 5 s window ends
    expect(updates).toBe(1);
    const serverDoc = server.hocuspocus.documents.get(NAME)!;
    expect(fragmentToText(proseFragment(serverDoc, 'concept', 'batched', 'synopsis'))).toMatch(/^word0 word1 .* word49 $/);
  });

  it('a bad token rejects `synced` with an auth error', async () => {
    const r = open('bad', { syncTimeoutMs: 5_000 });
    await expect(r.synced).rejects.toMatchObject({ code: 'auth' });
    r.close();
  });

  it('a read-only connection syncs, but flush() refuses its writes, and the server never gets them', async () => {
    const r = open('readonly');
    await r.synced;
    createBranch(r.doc, 'concept', { id: 'sneaky', origin: { kind: 'human', id: 'u', name: 'v' } });
    await expect(r.flush(2_000)).rejects.toBeInstanceOf(RemoteDocError);
    expect(listBranches(server.hocuspocus.documents.get(NAME)!, 'concept').map((b) => b.id)).not.toContain('sneaky');
  });

  it('flush() waits through a server restart and resolves only once the new server has the change', async () => {
    let loads = 0;
    const make = (): Server =>
      new Server({
        port: 0,
        quiet: true,
        stopOnSignals: false,
        async onLoadDocument({ document }) {
          loads++;
          Y.applyUpdate(document, createSeedUpdate(INIT));
        },
      });
    const first = make();
    const sockets = new Set<import('node:net').Socket>();
    first.httpServer.on('connection', (s) => sockets.add(s));
    await first.listen();
    const port = first.address.port;
    const r = openRemoteDoc({ url: `ws://127.0.0.1:${port}`, token: 'x', docName: NAME });
    opened.push(r);
    await r.synced;
    // A crash, as the client sees it: every TCP connection drops and nobody listens any more.
    // (Server.destroy() alone keeps upgraded sockets open in-process, which no real crash does.)
    for (const s of sockets) s.destroy();
    await first.destroy();
    createBranch(r.doc, 'concept', { id: 'offline-1', origin: { kind: 'agent', id: 'agent:j', name: 'Concept agent' } });
    let flushed = false;
    const f = r.flush(20_000).then(() => (flushed = true));
    await new Promise((res) => setTimeout(res, 300));
    expect(flushed).toBe(false); // nobody has acknowledged it: not durable
    const second = make();
    await second.listen(port);
    await f;
    expect(listBranches(second.hocuspocus.documents.get(NAME)!, 'concept').map((b) => b.id)).toEqual(['offline-1']);
    expect(loads).toBe(2);
    r.close();
    await second.destroy();
  });

  it('recovers when the server closes the document channel but keeps the socket', async () => {
    const r = open('good');
    await r.synced;
    server.hocuspocus.closeConnections(NAME);
    await expect.poll(() => r.provider.isSynced).toBe(false);
    createBranch(r.doc, 'concept', { id: 'after-reset', origin: { kind: 'agent', id: 'agent:k', name: 'Concept agent' } });
    await r.flush(10_000);
    expect(listBranches(server.hocuspocus.documents.get(NAME)!, 'concept').map((b) => b.id)).toContain('after-reset');
  });

  it('close() is idempotent and flush() after close is refused', async () => {
    const r = open('good');
    await r.synced;
    r.close();
    r.close();
    await expect(r.flush()).rejects.toMatchObject({ code: 'closed' });
  });
});
