/**
 * Open a project document on the collab-server as a collaborator, from Node (workers, the web
 * API): the same path people's browsers take, so agents' writes go through the server's auth,
 * limits and durable log, and show up in presence.
 *
 * Node 20 has no global WebSocket, so the socket is built with `ws` (STACK gotcha 4), and a
 * provider on an explicitly built socket must be attach()ed or it never syncs (same gotcha).
 * This module imports `ws`: it is for server-side code, not for the studio bundle.
 *
 * The doc is empty until `synced` resolves: await it before reading or writing (the lib/doc
 * writers refuse an unseeded doc).
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import type { Awareness } from 'y-protocols/awareness';
import type { Phase } from '../../schema/phases';

/**
 * What a collaborator shows in presence. Lives in the awareness field `user`, the field
 * Tiptap's CollaborationCaret reads `name` and `color` from; the rest is for the phase rail.
 */
export interface PresenceState {
  name: string;
  color: string;
  kind: 'human' | 'agent';
  phase?: Phase;
  /** 0..1 while an agent works. */
  progress?: number;
  /** What it is doing ("laying out page 3"). */
  message?: string;
  /** The branch it writes into. */
  branchId?: string;
}

export interface OpenRemoteDocOptions {
  /** ws:// or wss:// URL of a collab-server. */
  url: string;
  /** A collab token (lib/auth/tokens.ts), or a function fetching a fresh one at each (re)connect. */
  token: string | (() => string | Promise<string>);
  /** `project:<uuid>` or `project:<uuid>:review` (see names.ts). */
  docName: string;
  user?: PresenceState;
  /** An existing doc to bind (default: a new one). */
  doc?: Y.Doc;
  /** `synced` rejects if the first sync has not completed by then (default 15 s). */
  syncTimeoutMs?: number;
  /**
   * Batch outgoing updates over this many ms (HocuspocusProvider `flushDelay`): a streaming
   * agent then sends one merged message per window instead of one per token. flush() sends
   * the pending batch at once. Default: no batching.
   */
  batchMs?: number;
}

export interface RemoteDoc {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  awareness: Awareness;
  /** Resolves after the first full sync with the server; rejects on auth failure or timeout. */
  synced: Promise<void>;
  /**
   * Resolves when every local change has been acknowledged by the collab-server (the provider's
   * unsyncedChanges is back to 0). Koma's collab-server acks only once an update is durable, so
   * this is the "it is saved" point. Rejects after `timeoutMs` (default 10 s), e.g. when the
   * connection is read-only and writes are dropped.
   */
  flush(timeoutMs?: number): Promise<void>;
  /** Merge into this collaborator's presence (`user` awareness field). */
  setPresence(state: Partial<PresenceState>): void;
  /** Leave: presence is removed and the socket closed. Call flush() first to be sure writes landed. */
  close(): void;
}

export class RemoteDocError extends Error {
  constructor(
    readonly code: 'auth' | 'timeout' | 'closed' | 'readonly',
    message: string,
  ) {
    super(message);
    this.name = 'RemoteDocError';
  }
}

export function openRemoteDoc(opts: OpenRemoteDocOptions): RemoteDoc {
  const doc = opts.doc ?? new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url: opts.url, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: opts.docName,
    document: doc,
    flushDelay: opts.batchMs && opts.batchMs > 0 ? opts.batchMs : false,
    token: typeof opts.token === 'string' ? opts.token : async () => (opts.token as () => string | Promise<string>)(),
  });
  const awareness = provider.awareness;
  if (!awareness) throw new Error('provider has no awareness');
  if (opts.user) awareness.setLocalStateField('user', { ...opts.user });
  let closed = false;
  let authError: string | null = null;

  const synced = new Promise<void>((resolve, reject) => {
    if (provider.isSynced) return resolve();
    const timer = setTimeout(() => {
      cleanup();
      reject(new RemoteDocError('timeout', `no sync with ${opts.url} for ${opts.docName} within ${opts.syncTimeoutMs ?? 15_000} ms`));
    }, opts.syncTimeoutMs ?? 15_000);
    const onSynced = (): void => {
      cleanup();
      resolve();
    };
    const onAuthFailed = ({ reason }: { reason: string }): void => {
      cleanup();
      reject(new RemoteDocError('auth', `not allowed to open ${opts.docName}: ${reason}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      provider.off('synced', onSynced);
      provider.off('authenticationFailed', onAuthFailed);
    };
    provider.on('synced', onSynced);
    provider.on('authenticationFailed', onAuthFailed);
  });
  // Callers that never await `synced` must not crash the process with an unhandled rejection.
  synced.catch(() => undefined);

  provider.on('authenticationFailed', ({ reason }: { reason: string }) => {
    authError = reason;
  });

  // The server can close one document's channel while the socket stays up (a failed load, a
  // reset, a limit): the provider then sits "closed" on a live socket and never syncs again on
  // its own. Replaying the handshake re-opens it on the same socket; back off so a
  // server that keeps refusing is not hammered. A real socket drop is the socket's own business
  // (it reconnects by itself), and an authentication failure ends the attempts.
  let reattachDelay = 250;
  let reattachTimer: ReturnType<typeof setTimeout> | null = null;
  provider.on('close', () => {
    if (closed || authError !== null || reattachTimer !== null) return;
    if (socket.status !== 'connected') return;
    reattachTimer = setTimeout(() => {
      reattachTimer = null;
      if (closed || authError !== null || socket.status !== 'connected' || provider.isSynced) return;
      // Not detach()+attach(): detach sends a Close for the document, which the server applies
      // to the fresh channel too. onOpen replays exactly the handshake (token, then sync step 1).
      void provider.onOpen(socket.receivedOnOpenPayload ?? new Event('open'));
    }, reattachDelay);
    reattachDelay = Math.min(reattachDelay * 2, 10_000);
  });
  provider.on('synced', () => {
    reattachDelay = 250;
  });

  // Attach last, once every listener is in place (STACK gotcha 4).
  provider.attach();

  const isAcked = (): boolean => provider.isSynced && provider.unsyncedChanges === 0;

  async function flush(timeoutMs = 10_000): Promise<void> {
    if (closed) throw new RemoteDocError('closed', 'the remote doc is closed');
    provider.flushPendingUpdates();
    if (isAcked()) return;
    // The server drops a read-only connection's writes without ever acknowledging them.
    if (provider.authorizedScope === 'readonly') throw new RemoteDocError('readonly', `this connection to ${opts.docName} is read-only: local changes will not be saved`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new RemoteDocError('timeout', `${provider.unsyncedChanges} change(s) to ${opts.docName} not acknowledged within ${timeoutMs} ms${authError ? ` (${authError})` : ''}`));
      }, timeoutMs);
      const check = (): void => {
        if (!isAcked()) return;
        cleanup();
        resolve();
      };
      const onAuthFailed = ({ reason }: { reason: string }): void => {
        cleanup();
        reject(new RemoteDocError('auth', `writes to ${opts.docName} refused: ${reason}`));
      };
      const onAuthenticated = ({ scope }: { scope: string }): void => {
        if (scope !== 'readonly') return;
        cleanup();
        reject(new RemoteDocError('readonly', `this connection to ${opts.docName} is read-only: local changes will not be saved`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        provider.off('unsyncedChanges', check);
        provider.off('synced', check);
        provider.off('authenticationFailed', onAuthFailed);
        provider.off('authenticated', onAuthenticated);
      };
      provider.on('unsyncedChanges', check);
      provider.on('synced', check);
      provider.on('authenticationFailed', onAuthFailed);
      provider.on('authenticated', onAuthenticated);
    });
  }

  function setPresence(state: Partial<PresenceState>): void {
    if (closed) return;
    const current = (awareness!.getLocalState()?.user ?? {}) as Partial<PresenceState>;
    awareness!.setLocalStateField('user', { ...current, ...state });
  }

  function close(): void {
    if (closed) return;
    closed = true;
    if (reattachTimer !== null) clearTimeout(reattachTimer);
    provider.destroy();
    socket.destroy();
  }

  return { doc, provider, awareness, synced, flush, setPresence, close };
}
