/**
 * Shared pieces of the collab-server integration tests: users, projects and seeded documents
 * in a real database, tokens, and real HocuspocusProvider clients over `ws`.
 */
import { randomUUID } from 'node:crypto';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import pino from 'pino';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { signCollabToken, type CollabClaims } from '../../lib/auth/tokens';
import type { Db } from '../../lib/db/client';
import { storeInitialSnapshot, workDocName, reviewDocName } from '../../lib/db/docstore';

/** Warnings and errors only: rejections stay visible, the run stays readable. */
export const testLog = pino({ level: process.env.LOG_LEVEL ?? 'warn' });

export const SECRET = 'collab-test-secret-0123456789-abcdefghijklmnop';

export type MemberRole = 'owner' | 'editor' | 'reviewer' | 'viewer';

export interface TestProject {
  projectId: string;
  work: string;
  review: string;
  users: Record<MemberRole, string>;
}

export async function createUser(sql: Db, name = 'user'): Promise<string> {
  const id = randomUUID();
  await sql`INSERT INTO users (id, email, name, password_hash) VALUES (${id}, ${`${id}@example.test`}, ${name}, 'x')`;
  return id;
}

/** A project with one member of each role and a seeded work document (as the web API does). */
export async function createProject(sql: Db, options: { seed?: boolean } = {}): Promise<TestProject> {
  const users = {
    owner: await createUser(sql, 'owner'),
    editor: await createUser(sql, 'editor'),
    reviewer: await createUser(sql, 'reviewer'),
    viewer: await createUser(sql, 'viewer'),
  };
  const projectId = randomUUID();
  await sql`INSERT INTO projects (id, owner_id, title, language, reading_direction) VALUES (${projectId}, ${users.owner}, 'Test', 'en', 'ltr')`;
  for (const role of ['owner', 'editor', 'reviewer', 'viewer'] as const) {
    await sql`INSERT INTO memberships (project_id, user_id, role) VALUES (${projectId}, ${users[role]}, ${role})`;
  }
  const work = workDocName(projectId);
  if (options.seed !== false) {
    const doc = new Y.Doc();
    doc.getMap('meta').set('title', 'Test');
    doc.getText('source').insert(0, 'Once upon a time.');
    await storeInitialSnapshot(sql, work, projectId, Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }
  return { projectId, work, review: reviewDocName(projectId), users };
}

export function token(claims: Omit<CollabClaims, 'typ'>, ttlSeconds?: number, secret = SECRET): Promise<string> {
  return signCollabToken(claims, secret, ttlSeconds);
}

export function userToken(project: TestProject, role: MemberRole): Promise<string> {
  return token({ sub: project.users[role], projectId: project.projectId, role, name: role });
}

export interface Client {
  provider: HocuspocusProvider;
  doc: Y.Doc;
  socket: HocuspocusProviderWebsocket;
  events: { authFailed: string[]; closes: { code: number; reason: string }[]; authenticated: number };
  destroy(): void;
}

/**
 * A real provider on its own socket (the way a browser tab opens a document). `tokenValue` may
 * be a function, called on every (re)connect, as the studio fetches a fresh token.
 */
export function connect(url: string, name: string, tokenValue: string | null | (() => Promise<string>), options: { doc?: Y.Doc; reconnect?: boolean } = {}): Client {
  const doc = options.doc ?? new Y.Doc();
  const events: Client['events'] = { authFailed: [], closes: [], authenticated: 0 };
  const socket = new HocuspocusProviderWebsocket({
    url,
    WebSocketPolyfill: WebSocket,
    delay: 50,
    minDelay: 10,
    maxDelay: 300,
    maxAttempts: options.reconnect === false ? 1 : 0,
    onClose: ({ event }) => {
      events.closes.push({ code: event.code, reason: event.reason });
    },
  });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name,
    document: doc,
    token: tokenValue,
    onAuthenticationFailed: ({ reason }) => {
      events.authFailed.push(reason);
    },
    onAuthenticated: () => {
      events.authenticated += 1;
    },
    // The server can also close one document of a socket (a CLOSE message with a reason).
    onClose: ({ event }) => {
      events.closes.push({ code: event.code, reason: event.reason });
    },
  });
  // A shared socket only syncs once the provider is attached (STACK.md gotcha 4).
  provider.attach();
  return {
    provider,
    doc,
    socket,
    events,
    destroy() {
      provider.destroy();
      socket.destroy();
    },
  };
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const synced = (c: Client, timeoutMs = 10_000) => waitFor(() => c.provider.isSynced && c.provider.unsyncedChanges === 0, timeoutMs, 'sync');
export const acked = (c: Client, timeoutMs = 10_000) => waitFor(() => c.provider.unsyncedChanges === 0, timeoutMs, 'ack');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clients opened by a test file, destroyed together when it ends. */
export function clientPool(): { open: (...args: Parameters<typeof connect>) => Client; destroyAll: () => void } {
  const clients: Client[] = [];
  return {
    open: (...args) => {
      const client = connect(...args);
      clients.push(client);
      return client;
    },
    destroyAll: () => {
      for (const client of clients.splice(0)) client.destroy();
    },
  };
}
