/**
 * Chaos clients: real HocuspocusProviders over `ws`, each given BOTH collab-server URLs. When
 * its socket drops (its server was killed), the next connection attempt goes to the other URL:
 * the provider reads `configuration.url` afresh on every attempt, so switching it in the
 * `disconnect` handler is all failover takes, and the Y.Doc (with any unacknowledged local
 * edits) stays the same.
 *
 * Every edit is one key in the map `chaos` (`<client>:<n>` → the time it was made), so it can
 * be looked for later in each client and in PostgreSQL. An edit counts as acknowledged at the
 * first moment after it that the provider's unsyncedChanges drops to 0: that number only goes
 * down on the server's SyncStatus, and Koma's collab-server sends it only once everything the
 * client sent is committed — the moment the studio shows "saved".
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

export const EDIT_MAP = 'chaos';

export interface Edit {
  key: string;
  at: number;
  ackedAt: number | null;
}

export interface Outage {
  downAt: number;
  upAt: number | null;
}

export interface ChaosClientOptions {
  tag: string;
  projectId: string;
  docName: string;
  urls: string[];
  /** Start on this URL (index into urls). */
  first: number;
  /** The collab token, asked again when the cached one is old (falls back to the cached one). */
  token: () => Promise<string>;
}

export class ChaosClient {
  readonly doc = new Y.Doc();
  readonly socket: HocuspocusProviderWebsocket;
  readonly provider: HocuspocusProvider;
  readonly edits: Edit[] = [];
  readonly outages: Outage[] = [];
  authFailures: string[] = [];
  failovers = 0;
  private urlIndex: number;
  private seq = 0;
  private unacked = 0;
  private reauthTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;

  constructor(readonly options: ChaosClientOptions) {
    this.urlIndex = options.first;
    this.socket = new HocuspocusProviderWebsocket({
      url: options.urls[this.urlIndex],
      WebSocketPolyfill: WebSocket,
      delay: 100,
      minDelay: 50,
      maxDelay: 1_000,
      maxAttempts: 0,
    });
    this.socket.on('disconnect', () => {
      const now = Date.now();
      const last = this.outages[this.outages.length - 1];
      if (!last || last.upAt !== null) this.outages.push({ downAt: now, upAt: null });
      // Round robin: a dead server refuses at once, so the next attempt reaches the live one.
      this.urlIndex = (this.urlIndex + 1) % options.urls.length;
      this.socket.configuration.url = options.urls[this.urlIndex];
      this.failovers += 1;
    });
    this.provider = new HocuspocusProvider({
      websocketProvider: this.socket,
      name: options.docName,
      document: this.doc,
      token: options.token,
    });
    this.provider.on('synced', () => {
      const last = this.outages[this.outages.length - 1];
      if (last && last.upAt === null) last.upAt = Date.now();
    });
    this.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      if (number !== 0) return;
      const now = Date.now();
      for (let i = this.edits.length - this.unacked; i < this.edits.length; i += 1) this.edits[i].ackedAt = now;
      this.unacked = 0;
    });
    // A refusal while a dependency is down (the server could not check the token's membership)
    // leaves the document closed on a live socket: a tab that stays open tries again, with the
    // same doc and its local edits.
    const retry = (delay: number) => {
      if (this.destroyed || this.reauthTimer) return;
      this.reauthTimer = setTimeout(() => {
        this.reauthTimer = null;
        if (this.destroyed || this.provider.isSynced) return;
        if (this.socket.status === WebSocketStatus.Connected) void this.provider.onOpen(this.socket.receivedOnOpenPayload ?? new Event('open'));
      }, delay);
    };
    this.provider.on('authenticationFailed', ({ reason }: { reason: string }) => {
      this.authFailures.push(reason);
      retry(1_000);
    });
    this.provider.on('close', () => {
      if (this.socket.status === WebSocketStatus.Connected) retry(500);
    });
    this.provider.attach();
  }

  get synced(): boolean {
    return this.provider.isSynced && this.socket.status === WebSocketStatus.Connected;
  }

  get allAcked(): boolean {
    return this.synced && this.provider.unsyncedChanges === 0 && this.unacked === 0;
  }

  /** One edit: a new key in the chaos map, made in its own transaction (one update). */
  edit(): Edit {
    this.seq += 1;
    const entry: Edit = { key: `${this.options.tag}:${this.seq}`, at: Date.now(), ackedAt: null };
    this.edits.push(entry);
    this.unacked = Math.min(this.edits.length, this.unacked + 1);
    this.doc.getMap<number>(EDIT_MAP).set(entry.key, entry.at);
    return entry;
  }

  /** Which of the given keys this client's document holds. */
  has(key: string): boolean {
    return this.doc.getMap(EDIT_MAP).has(key);
  }

  destroy(): void {
    this.destroyed = true;
    if (this.reauthTimer) clearTimeout(this.reauthTimer);
    this.provider.destroy();
    this.socket.destroy();
    this.doc.destroy();
  }
}
