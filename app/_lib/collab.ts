'use client';
/**
 * Connects the studio to a project: one collab token, then two Hocuspocus providers — the work
 * document and the review document (reviewers may write only the latter; the collab-server
 * enforces it). Each provider owns its socket (no shared socket: see STACK.md gotcha 4).
 *
 * Tokens are short-lived, so every (re)connect after the first asks the API for a fresh one.
 * The work document is also kept in IndexedDB (./offline.ts): edits made offline survive a
 * reload or a closed tab, and the studio opens without the API from what this browser kept.
 */
import { HocuspocusProvider, WebSocketStatus } from '@hocuspocus/provider';
import { useEffect, useState, useSyncExternalStore } from 'react';
import * as Y from 'yjs';
import { api, ApiError } from './api';
import { createTokenSource } from './collab-token';
import { collabToken, type CollabToken, type Role } from './api-types';
import { forgetProject, persistWorkDoc, readPending, recallMeta, rememberMeta, writePending, type OfflineMeta } from './offline';
import { readPresence, type Presence } from './presence';

export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface CollabSession {
  role: Role;
  work: { doc: Y.Doc; provider: HocuspocusProvider };
  review: { doc: Y.Doc; provider: HocuspocusProvider };
  /** Local work-document changes not yet acknowledged, including those kept across a reload. */
  pending: () => number;
}

function fetchToken(projectId: string): Promise<CollabToken> {
  return api(`/api/projects/${projectId}/collab-token`, collabToken, { method: 'POST', body: {} });
}

/** Resolves the socket URL the API gives (may be relative or use the page's host). */
function socketUrl(url: string): string {
  if (/^wss?:\/\//.test(url)) return url;
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (url.startsWith('/')) return `${proto}//${window.location.host}${url}`;
  return `${proto}//${url}`;
}

export function useCollab(projectId: string, userId: string | null): { session: CollabSession | null; error: unknown } {
  const [session, setSession] = useState<CollabSession | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let disposed = false;
    let created: CollabSession | null = null;
    let persistence: Awaited<ReturnType<typeof persistWorkDoc>> = null;
    let stopPending = () => {};
    (async () => {
      try {
        let first: CollabToken | null = null;
        let meta: OfflineMeta | null = null;
        try {
          first = await fetchToken(projectId);
          meta = { role: first.role, url: first.url, docName: first.docName, reviewDocName: first.reviewDocName };
          if (userId) rememberMeta(userId, projectId, meta);
        } catch (e) {
          // Gone or not ours any more: never keep (or later resurrect) its offline copy.
          if (e instanceof ApiError && (e.status === 404 || e.status === 403)) {
            if (userId) await forgetProject(userId, projectId);
            throw e;
          }
          // No answer at all (offline): open from what this browser kept, if anything.
          meta = e instanceof ApiError || !userId ? null : recallMeta(userId, projectId);
          if (!meta) throw e;
        }
        if (disposed) return;
        const url = socketUrl(meta.url);
        const workDoc = new Y.Doc();
        const reviewDoc = new Y.Doc();
        // Load the kept copy before the provider connects, so its first sync offers those edits.
        if (userId) persistence = await persistWorkDoc(userId, projectId, workDoc);
        if (disposed) {
          void persistence?.destroy();
          workDoc.destroy();
          reviewDoc.destroy();
          return;
        }
        // The first connect uses the token we already have; reconnects fetch a new one, and
        // ride out an API that cannot answer (collab-token.ts).
        const tokenSource = () =>
          createTokenSource({ initial: first?.token ?? null, fetchToken: async () => (await fetchToken(projectId)).token, disposed: () => disposed });
        const work = new HocuspocusProvider({
          url,
          name: meta.docName,
          document: workDoc,
          token: tokenSource(),
          onAuthenticationFailed: ({ reason }) => {
            if (userId && (reason === 'not-a-member' || reason === 'no-such-project')) void forgetProject(userId, projectId, persistence);
          },
        });
        const review = new HocuspocusProvider({ url, name: meta.reviewDocName, document: reviewDoc, token: tokenSource() });
        const pending = userId ? trackPending(userId, projectId, workDoc, work, persistence) : { count: () => 0, stop: () => {} };
        stopPending = pending.stop;
        created = { role: meta.role, work: { doc: workDoc, provider: work }, review: { doc: reviewDoc, provider: review }, pending: pending.count };
        setSession(created);
      } catch (e) {
        if (!disposed) setError(e);
      }
    })();
    return () => {
      disposed = true;
      stopPending();
      if (created) {
        created.work.provider.destroy();
        created.review.provider.destroy();
        created.work.doc.destroy();
        created.review.doc.destroy();
      }
      void persistence?.destroy();
    };
  }, [projectId, userId]);

  return { session, error };
}

/**
 * Local changes the server has not acknowledged, counted across reloads: +1 per local update of
 * the work document, back to 0 once the provider is synced with nothing outstanding.
 */
function trackPending(userId: string, projectId: string, doc: Y.Doc, provider: HocuspocusProvider, persistence: unknown) {
  let count = readPending(userId, projectId);
  const onUpdate = (_update: Uint8Array, origin: unknown) => {
    if (origin === provider || (persistence !== null && origin === persistence)) return;
    count += 1;
    writePending(userId, projectId, count);
  };
  const onAck = () => {
    const connected = provider.configuration.websocketProvider.status === WebSocketStatus.Connected;
    if (connected && provider.synced && provider.unsyncedChanges === 0 && count > 0) {
      count = 0;
      writePending(userId, projectId, 0);
    }
  };
  doc.on('update', onUpdate);
  provider.on('unsyncedChanges', onAck);
  provider.on('synced', onAck);
  return {
    count: () => count,
    stop: () => {
      doc.off('update', onUpdate);
      provider.off('unsyncedChanges', onAck);
      provider.off('synced', onAck);
    },
  };
}

interface ConnSnapshot {
  state: ConnState;
  unsynced: number;
  synced: boolean;
}

/**
 * Connection state for the badge: connected, reconnecting (had a connection, lost it, the
 * browser is online), offline (the browser says so), plus the count of local changes the server
 * has not acknowledged yet.
 */
/** `providers` must be a stable (memoized) array. */
export function useConnection(providers: HocuspocusProvider[], pending: () => number = () => 0): ConnSnapshot {
  const [snap, setSnap] = useState<ConnSnapshot>({ state: 'connecting', unsynced: 0, synced: false });
  useEffect(() => {
    if (providers.length === 0) return;
    let everConnected = false;
    const compute = () => {
      const online = typeof navigator === 'undefined' ? true : navigator.onLine;
      const allConnected = providers.every((p) => p.configuration.websocketProvider.status === WebSocketStatus.Connected);
      const synced = providers.every((p) => p.synced);
      if (allConnected && synced) everConnected = true;
      // The providers count what they sent and wait for; `pending` also remembers edits made before a reload.
      const unsynced = Math.max(providers.reduce((n, p) => n + p.unsyncedChanges, 0), pending());
      const state: ConnState = !online ? 'offline' : allConnected && synced ? 'connected' : everConnected ? 'reconnecting' : 'connecting';
      setSnap((prev) => (prev.state === state && prev.unsynced === unsynced && prev.synced === synced ? prev : { state, unsynced, synced }));
    };
    const events = ['status', 'synced', 'unsyncedChanges', 'disconnect', 'connect', 'close'] as const;
    for (const p of providers) for (const e of events) p.on(e, compute);
    window.addEventListener('online', compute);
    window.addEventListener('offline', compute);
    // Status events can be missed between creation and subscription; poll lightly as a backstop.
    const timer = window.setInterval(compute, 1000);
    compute();
    return () => {
      for (const p of providers) for (const e of events) p.off(e, compute);
      window.removeEventListener('online', compute);
      window.removeEventListener('offline', compute);
      window.clearInterval(timer);
    };
  }, [providers, pending]);
  return snap;
}

/** Everyone in the work document right now (people and agents), from awareness. */
export function usePresence(provider: HocuspocusProvider | null): Presence[] {
  const awareness = provider?.awareness ?? null;
  const subscribe = (fn: () => void) => {
    if (!awareness) return () => {};
    awareness.on('change', fn);
    return () => awareness.off('change', fn);
  };
  const getSnapshot = () => (awareness ? awarenessKey(awareness.getStates()) : '');
  const key = useSyncExternalStore(subscribe, getSnapshot, () => '');
  const [list, setList] = useState<Presence[]>([]);
  useEffect(() => {
    if (!awareness) return;
    const out: Presence[] = [];
    for (const [id, state] of awareness.getStates()) {
      const p = readPresence(id, state, awareness.clientID);
      if (p) out.push(p);
    }
    setList(out);
  }, [awareness, key]);
  return list;
}

// Awareness objects are mutated in place; a JSON key gives useSyncExternalStore a value that changes with them.
function awarenessKey(states: Map<number, Record<string, unknown>>): string {
  try {
    return JSON.stringify(Array.from(states.entries()));
  } catch {
    return String(Date.now());
  }
}
