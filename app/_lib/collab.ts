'use client';
/**
 * Connects the studio to a project: one collab token, then two Hocuspocus providers — the work
 * document and the review document (reviewers may write only the latter; the collab-server
 * enforces it). Each provider owns its socket (no shared socket: see STACK.md gotcha 4).
 *
 * Tokens are short-lived, so every (re)connect after the first asks the API for a fresh one.
 * The Y.Docs live as long as the page, so edits made offline stay in memory and are sent when
 * the socket comes back.
 */
import { HocuspocusProvider, WebSocketStatus } from '@hocuspocus/provider';
import { useEffect, useState, useSyncExternalStore } from 'react';
import * as Y from 'yjs';
import { api } from './api';
import { collabToken, type CollabToken, type Role } from './api-types';
import { readPresence, type Presence } from './presence';

export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface CollabSession {
  role: Role;
  work: { doc: Y.Doc; provider: HocuspocusProvider };
  review: { doc: Y.Doc; provider: HocuspocusProvider };
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

export function useCollab(projectId: string): { session: CollabSession | null; error: unknown } {
  const [session, setSession] = useState<CollabSession | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let disposed = false;
    let created: CollabSession | null = null;
    (async () => {
      try {
        const first = await fetchToken(projectId);
        if (disposed) return;
        let used = false;
        // The first connect uses the token we already have; reconnects fetch a new one.
        const token = async () => {
          if (!used) {
            used = true;
            return first.token;
          }
          return (await fetchToken(projectId)).token;
        };
        const url = socketUrl(first.url);
        const workDoc = new Y.Doc();
        const reviewDoc = new Y.Doc();
        const work = new HocuspocusProvider({ url, name: first.docName, document: workDoc, token });
        let reviewUsed = false;
        const reviewToken = async () => {
          if (!reviewUsed) {
            reviewUsed = true;
            return first.token;
          }
          return (await fetchToken(projectId)).token;
        };
        const review = new HocuspocusProvider({ url, name: first.reviewDocName, document: reviewDoc, token: reviewToken });
        created = { role: first.role, work: { doc: workDoc, provider: work }, review: { doc: reviewDoc, provider: review } };
        setSession(created);
      } catch (e) {
        if (!disposed) setError(e);
      }
    })();
    return () => {
      disposed = true;
      if (created) {
        created.work.provider.destroy();
        created.review.provider.destroy();
        created.work.doc.destroy();
        created.review.doc.destroy();
      }
    };
  }, [projectId]);

  return { session, error };
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
export function useConnection(providers: HocuspocusProvider[]): ConnSnapshot {
  const [snap, setSnap] = useState<ConnSnapshot>({ state: 'connecting', unsynced: 0, synced: false });
  useEffect(() => {
    if (providers.length === 0) return;
    let everConnected = false;
    const compute = () => {
      const online = typeof navigator === 'undefined' ? true : navigator.onLine;
      const allConnected = providers.every((p) => p.configuration.websocketProvider.status === WebSocketStatus.Connected);
      const synced = providers.every((p) => p.synced);
      if (allConnected && synced) everConnected = true;
      const unsynced = providers.reduce((n, p) => n + p.unsyncedChanges, 0);
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
  }, [providers]);
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
