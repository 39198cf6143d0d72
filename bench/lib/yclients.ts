/**
 * Client-side measurement for load and fault benchmarks (`npm run load`, `npm run chaos`):
 * real HocuspocusProvider clients (`connect` from tests/integration/collab-support.ts) that make
 * small, numbered edits and record what they see.
 *
 * API
 * - `new Histogram()` — `record(ms)`, `count`, `percentile(p)`, `countAbove(ms)`, `max`, `mean`,
 *   `merge(other)`.
 *   Log buckets 1 % wide: constant memory for millions of samples, percentiles within 1 %.
 * - `new ProbeClient({ url, docName, key, token, stats })` — one provider on its own socket.
 *   `edit()` writes `{ s: seq, t: epochMs }` under `key` in the top-level map `PROBE_MAP` of the
 *   document, in one transaction (one update message). Overwriting one key per client keeps the
 *   visible content flat (Yjs still keeps a small deleted item per overwrite).
 *   `sent` / `acked` are the highest seq sent / acknowledged; `pending` the unacknowledged count;
 *   `synced` is true once connected, authenticated and in sync; `destroy()`.
 * - `ClientStats` (shared by many clients, `newClientStats()`): propagation and ack histograms,
 *   edit / ack counts, reconnects, auth failures, closes by reason.
 * - `sameDocument(a, b)` — same state vector and delete set, i.e. the same content.
 * - `probeValue(doc, key)` — the `{s, t}` a document holds for a client (or undefined).
 *
 * What is measured
 * - propagation: from the edit (wall clock of the sending client, `performance.timeOrigin +
 *   performance.now()`, comparable across worker threads of one machine) to the moment another
 *   client's observer sees that key change. One sample per receiving client.
 * - durable ack: from the edit to the provider's acknowledgement of that update (`unsyncedChanges`
 *   going down; the collab-server sends it only after the update is committed in PostgreSQL).
 *   Acks arrive in order, so each decrement acknowledges the oldest pending edit. After a
 *   reconnect the provider resets its counter and resyncs; then everything pending is
 *   acknowledged together when the counter reaches 0.
 */
import type { Client } from '../../tests/integration/collab-support';
import { connect } from '../../tests/integration/collab-support';
import * as Y from 'yjs';

export const PROBE_MAP = 'load';

export interface ProbeValue {
  s: number;
  t: number;
}

/** Wall-clock milliseconds with sub-millisecond resolution, shared by every thread. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

const GROWTH = 1.01;
const MIN_MS = 0.01;
const LOG_GROWTH = Math.log(GROWTH);

export class Histogram {
  readonly buckets = new Map<number, number>();
  count = 0;
  max = 0;
  sum = 0;

  record(ms: number): void {
    const value = Math.max(MIN_MS, ms);
    const index = Math.floor(Math.log(value / MIN_MS) / LOG_GROWTH);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.count += 1;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  merge(other: Pick<Histogram, 'buckets' | 'count' | 'max' | 'sum'>): void {
    for (const [index, n] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  /** The upper edge of the bucket holding the p-th percentile (NaN when empty). */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(index) ?? 0;
      if (seen >= rank) return Math.min(this.max, MIN_MS * GROWTH ** (index + 1));
    }
    return this.max;
  }

  /** Samples in buckets wholly above `ms`: may miss those in the one bucket (1 %) holding `ms`. */
  countAbove(ms: number): number {
    let n = 0;
    for (const [index, count] of this.buckets) if (MIN_MS * GROWTH ** index >= ms) n += count;
    return n;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : Number.NaN;
  }
}

export interface ClientStats {
  propagation: Histogram;
  ack: Histogram;
  edits: number;
  acks: number;
  reconnects: number;
  authFailures: number;
  /** Socket or document closes by `code reason` (a normal close by us is not counted). */
  closes: Map<string, number>;
}

export function newClientStats(): ClientStats {
  return { propagation: new Histogram(), ack: new Histogram(), edits: 0, acks: 0, reconnects: 0, authFailures: 0, closes: new Map() };
}

export interface ProbeClientOptions {
  url: string;
  docName: string;
  /** This client's key in PROBE_MAP: unique within the document. */
  key: string;
  /** A fixed token, or a function asked on every (re)connect (as the studio does). */
  token: string | (() => Promise<string>);
  stats: ClientStats;
}

export class ProbeClient {
  readonly key: string;
  readonly client: Client;
  /** Highest seq sent / acknowledged (0 = none). */
  sent = 0;
  acked = 0;
  private readonly stats: ClientStats;
  private readonly pendingSince: { seq: number; at: number }[] = [];
  private previous = 0;
  private resyncing = false;
  private opens = 0;
  private closing = false;

  constructor(options: ProbeClientOptions) {
    this.key = options.key;
    this.stats = options.stats;
    this.client = connect(options.url, options.docName, options.token);
    const { provider } = this.client;
    provider.on('open', () => {
      this.opens += 1;
      if (this.opens > 1) this.stats.reconnects += 1;
      // startSync() resets the counter to 1: decrements until 0 are not per-edit acks.
      this.resyncing = true;
    });
    provider.on('close', ({ event }: { event: { code: number; reason: string } }) => {
      if (this.closing) return;
      const label = `${event.code} ${event.reason || '(no reason)'}`;
      this.stats.closes.set(label, (this.stats.closes.get(label) ?? 0) + 1);
    });
    provider.on('authenticationFailed', () => {
      this.stats.authFailures += 1;
    });
    provider.on('unsyncedChanges', ({ number }: { number: number }) => this.onUnsynced(number));
    this.client.doc.getMap<ProbeValue>(PROBE_MAP).observe((event) => {
      if (event.transaction.local) return;
      const now = epochMs();
      const map = event.target as Y.Map<ProbeValue>;
      for (const key of event.keysChanged) {
        if (key === this.key) continue;
        const value = map.get(key);
        if (value && typeof value.t === 'number') this.stats.propagation.record(now - value.t);
      }
    });
  }

  get synced(): boolean {
    const { provider } = this.client;
    return provider.isSynced && provider.isAuthenticated;
  }

  get pending(): number {
    return this.pendingSince.length;
  }

  /** The oldest unacknowledged edit's age in ms (0 when none). */
  oldestPendingMs(now = epochMs()): number {
    return this.pendingSince.length ? now - this.pendingSince[0].at : 0;
  }

  edit(): number {
    const seq = this.sent + 1;
    const at = epochMs();
    // Recorded before the transaction: the provider counts the update synchronously inside it.
    this.pendingSince.push({ seq, at });
    this.sent = seq;
    this.stats.edits += 1;
    this.client.doc.transact(() => {
      this.client.doc.getMap<ProbeValue>(PROBE_MAP).set(this.key, { s: seq, t: at });
    });
    return seq;
  }

  private onUnsynced(number: number): void {
    const now = epochMs();
    if (number === 0) {
      this.resyncing = false;
      this.ackOldest(this.pendingSince.length, now);
    } else if (number < this.previous && !this.resyncing) {
      this.ackOldest(this.previous - number, now);
    }
    this.previous = number;
  }

  private ackOldest(n: number, now: number): void {
    for (const edit of this.pendingSince.splice(0, n)) {
      this.stats.ack.record(now - edit.at);
      this.stats.acks += 1;
      this.acked = Math.max(this.acked, edit.seq);
    }
  }

  destroy(): void {
    this.closing = true;
    // Closing a socket still connecting makes `ws` emit 'error' after the provider dropped its
    // listeners; unhandled, that would crash the process at the end of a run.
    const ws = (this.client.socket as unknown as { webSocket?: { on?: (event: 'error', fn: () => void) => void } | null }).webSocket;
    ws?.on?.('error', () => {});
    this.client.destroy();
  }
}

/** Same state vector and same delete set ⇒ the same document content. */
export function sameDocument(a: Y.Doc, b: Y.Doc): boolean {
  return Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b));
}

export function probeValue(doc: Y.Doc, key: string): ProbeValue | undefined {
  return doc.getMap<ProbeValue>(PROBE_MAP).get(key);
}
