/**
 * Offline beyond the open tab. The work document is kept in IndexedDB (y-indexeddb), one
 * database per user and project, so edits made without a connection survive a reload or a
 * closed tab; when the provider reconnects, Yjs' state-vector exchange sends the server exactly
 * what it lacks (nothing is lost even if the counter below is off).
 *
 * Beside it, in localStorage, what the studio needs to open without the API (role, collab URL,
 * document names: never a token) and how many local changes the server has not acknowledged,
 * because the provider's own count starts at 0 after a reload.
 *
 * Cleared: per project when the API says the project is gone or no longer ours (so a deleted
 * project is never resurrected from this browser), and per user on sign-out. The collab-server
 * also refuses documents of deleted projects, so a leftover could never reach the server.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import { z } from 'zod';
import type * as Y from 'yjs';
import { ROLES } from './api-types';

const DB_PREFIX = 'koma-work';
const META_PREFIX = 'koma.offline';

const dbName = (userId: string, projectId: string) => `${DB_PREFIX}:${userId}:${projectId}`;
const metaKey = (userId: string, projectId: string) => `${META_PREFIX}:${userId}:${projectId}`;
const pendingKey = (userId: string, projectId: string) => `${META_PREFIX}.pending:${userId}:${projectId}`;

/** What the studio needs to open offline (from the last collab-token answer). */
export const offlineMeta = z.object({
  role: z.enum(ROLES),
  url: z.string().min(1),
  docName: z.string().min(1),
  reviewDocName: z.string().min(1),
});
export type OfflineMeta = z.infer<typeof offlineMeta>;

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null; // storage disabled (private mode policies): run without offline support
  }
}

export function rememberMeta(userId: string, projectId: string, meta: OfflineMeta): void {
  storage()?.setItem(metaKey(userId, projectId), JSON.stringify(offlineMeta.parse(meta)));
}

export function recallMeta(userId: string, projectId: string): OfflineMeta | null {
  const raw = storage()?.getItem(metaKey(userId, projectId));
  if (!raw) return null;
  try {
    const parsed = offlineMeta.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function readPending(userId: string, projectId: string): number {
  const n = Number(storage()?.getItem(pendingKey(userId, projectId)) ?? 0);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

export function writePending(userId: string, projectId: string, n: number): void {
  const s = storage();
  if (!s) return;
  if (n > 0) s.setItem(pendingKey(userId, projectId), String(n));
  else s.removeItem(pendingKey(userId, projectId));
}

/**
 * Keep `doc` in IndexedDB and load what was kept before. Resolves once the stored state is in
 * the doc (or after a short wait if IndexedDB is slow or unavailable: the studio then works
 * online-only rather than not at all).
 */
export async function persistWorkDoc(userId: string, projectId: string, doc: Y.Doc): Promise<IndexeddbPersistence | null> {
  if (typeof indexedDB === 'undefined') return null;
  try {
    const persistence = new IndexeddbPersistence(dbName(userId, projectId), doc);
    await Promise.race([persistence.whenSynced, new Promise((r) => setTimeout(r, 3_000))]);
    return persistence;
  } catch {
    return null;
  }
}

/** Forget one project on this browser (it was deleted, or we are no longer a member). */
export async function forgetProject(userId: string, projectId: string, open?: IndexeddbPersistence | null): Promise<void> {
  storage()?.removeItem(metaKey(userId, projectId));
  storage()?.removeItem(pendingKey(userId, projectId));
  if (open) await open.clearData().catch(() => undefined);
  await deleteDb(dbName(userId, projectId));
}

/** Forget every project of one user on this browser (sign-out). */
export async function forgetUser(userId: string): Promise<void> {
  const s = storage();
  if (s) {
    const mine = [`${META_PREFIX}:${userId}:`, `${META_PREFIX}.pending:${userId}:`];
    for (const key of Object.keys(s)) if (mine.some((p) => key.startsWith(p))) s.removeItem(key);
  }
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return;
  const dbs = await indexedDB.databases().catch(() => []);
  await Promise.all(dbs.filter((d) => d.name?.startsWith(`${DB_PREFIX}:${userId}:`)).map((d) => deleteDb(d.name!)));
}

function deleteDb(name: string): Promise<void> {
  if (typeof indexedDB === 'undefined') return Promise.resolve();
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => resolve();
    // Another tab still has it open: it is deleted when that tab lets go; do not wait for it.
    req.onblocked = () => resolve();
  });
}

/**
 * Register the service worker (public/sw.js) and have it cache this page and the files it
 * already loaded, so the studio opens again without a network. Resolves true once cached.
 * Production builds only: in development the files change on every edit.
 */
export async function installOfflineShell(): Promise<boolean> {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator) || process.env.NODE_ENV !== 'production') return false;
  try {
    await navigator.serviceWorker.register('/sw.js');
    const worker = (await navigator.serviceWorker.ready).active;
    if (!worker) return false;
    const here = window.location.origin;
    const loaded = performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((u) => u.startsWith(here) && !u.startsWith(`${here}/api/`));
    const urls = [window.location.pathname, ...new Set(loaded)];
    return await new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        navigator.serviceWorker.removeEventListener('message', onMessage);
        window.clearTimeout(timer);
        resolve(ok);
      };
      const onMessage = (e: MessageEvent) => {
        if ((e.data as { type?: unknown } | null)?.type === 'warmed') done(true);
      };
      const timer = window.setTimeout(() => done(false), 60_000);
      navigator.serviceWorker.addEventListener('message', onMessage);
      worker.postMessage({ type: 'warm', urls });
    });
  } catch {
    return false; // the studio works online without it
  }
}
