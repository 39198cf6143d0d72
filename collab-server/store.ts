/**
 * Where an update is made durable before it is acknowledged: a group-commit writer in front
 * of the PostgreSQL log (lib/db/docstore.ts), plus per-document bookkeeping for compaction.
 *
 * Group commit: appends that arrive while an INSERT is in flight are queued and written
 * together by the next INSERT, so N concurrent editors cost ~1 round trip each, not N.
 *
 * Failures: transient errors (connection lost, server restarting…) are retried with
 * exponential backoff. A client update gives up after `clientDeadlineMs` — it was never
 * acknowledged, the client still has it and resends it after reconnecting. "Refused" means "not
 * acknowledged", not "never written": an INSERT already handed to postgres.js keeps waiting for
 * its connection and may commit once PostgreSQL is back. Harmless, as every duplicate write is:
 * Yjs applies an update once. (postgres.js' cancel() cannot withdraw such a query safely: on a
 * connection's first query it leaves the connection stuck, and on a sent one it opens a new
 * connection to a server that may be down.) A server-side update
 * (direct connection) exists only in this process, so it is retried until it succeeds.
 * Permanent errors (constraint violations, e.g. the project was deleted) fail only the rows that
 * cause them: a failed batch is split and retried row by row.
 */
import type { Logger } from 'pino';
import type { Db } from '../lib/db/client';
import { appendUpdates, compactDoc, type LogEntry } from '../lib/db/docstore';
import { collabMetrics } from './metrics';
import { withDeadline } from '../lib/deadline';

export class StoreUnavailableError extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

interface Pending {
  entry: LogEntry;
  /** Set once resolved or rejected (a deadline can fire while an INSERT is still running). */
  settled: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface DocState {
  /** Background (server-side) appends not yet durable. */
  inflight: Set<Promise<void>>;
  tailRows: number;
  tailBytes: number;
  compacting: Promise<void> | null;
}

export interface DurableStoreOptions {
  sql: Db;
  log: Logger;
  maxBatch?: number;
  /** Concurrent INSERTs; more than one keeps latency low when a batch is slow. */
  maxInFlight?: number;
  clientDeadlineMs?: number;
  /** One INSERT attempt may take this long before it counts as failed and is retried. */
  attemptTimeoutMs?: number;
  compactEveryRows?: number;
  compactEveryBytes?: number;
}

/** SQLSTATE classes that will fail the same way on retry: data exceptions, integrity violations. */
function isPermanent(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  return /^(22|23|42)/.test(code);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class AttemptTimeout extends Error {}

/**
 * Race a query against a timer. A query lost in a dead connection (postgres.js keeps queries
 * queued while it reconnects) would otherwise hold every ack forever. If the INSERT commits
 * after all, the retry writes the rows twice: harmless, Yjs updates are idempotent.
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return withDeadline(work, ms, () => new AttemptTimeout(`no answer from PostgreSQL within ${ms} ms`));
}

export class DurableStore {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private readonly docs = new Map<string, DocState>();
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly clientDeadlineMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly compactEveryRows: number;
  private readonly compactEveryBytes: number;
  private readonly metrics = collabMetrics();
  private compactions = Promise.resolve();

  constructor(private readonly options: DurableStoreOptions) {
    this.maxBatch = options.maxBatch ?? 500;
    // Several commits in flight let PostgreSQL share one WAL flush between them.
    this.maxInFlight = options.maxInFlight ?? 4;
    this.clientDeadlineMs = options.clientDeadlineMs ?? 15_000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
    this.compactEveryRows = options.compactEveryRows ?? 500;
    this.compactEveryBytes = options.compactEveryBytes ?? 4 * 1024 * 1024;
  }

  /** Updates queued or being written. */
  pendingCount(): number {
    let n = this.queue.length;
    for (const d of this.docs.values()) n += d.inflight.size;
    return n;
  }

  /** Track a document once it loaded; `tailRows/Bytes` say how much log it came with. */
  trackDoc(docName: string, tailRows: number, tailBytes: number): void {
    const existing = this.docs.get(docName);
    if (existing) {
      existing.tailRows = tailRows;
      existing.tailBytes = tailBytes;
      return;
    }
    this.docs.set(docName, { inflight: new Set(), tailRows, tailBytes, compacting: null });
    if (tailRows >= this.compactEveryRows || tailBytes >= this.compactEveryBytes) this.scheduleCompaction(docName);
  }

  isTracked(docName: string): boolean {
    return this.docs.has(docName);
  }

  /** Forget a document after it was unloaded (only once nothing is pending for it). */
  untrackDoc(docName: string): void {
    const state = this.docs.get(docName);
    if (state && state.inflight.size === 0) this.docs.delete(docName);
  }

  /**
   * Make a client update durable. Resolves once it is committed; rejects with
   * StoreUnavailableError if that cannot happen in time (the caller must then NOT apply it).
   */
  appendClient(entry: LogEntry): Promise<void> {
    return this.enqueue(entry, Date.now() + this.clientDeadlineMs).then(() => this.afterAppend(entry, 'client'));
  }

  /**
   * Make a server-side update durable in the background (it is already in memory). Retried
   * until it succeeds; `flushDoc` waits for it.
   */
  appendServer(entry: LogEntry): Promise<void> {
    const state = this.docs.get(entry.docName);
    const p = this.enqueue(entry, Number.POSITIVE_INFINITY).then(
      () => this.afterAppend(entry, 'server'),
      (error: unknown) => {
        // Only permanent errors end up here (the deadline is infinite).
        this.options.log.error({ err: error, doc: entry.docName }, 'server-side update could not be stored: it is lost');
      },
    );
    if (state) {
      state.inflight.add(p);
      void p.finally(() => state.inflight.delete(p));
    }
    return p;
  }

  /** Wait until every server-side update of this document accepted so far is durable. */
  async flushDoc(docName: string): Promise<void> {
    const state = this.docs.get(docName);
    while (state && state.inflight.size > 0) await Promise.all([...state.inflight]);
  }

  hasPending(docName: string): boolean {
    const state = this.docs.get(docName);
    if (state && state.inflight.size > 0) return true;
    return this.queue.some((p) => p.entry.docName === docName);
  }

  private afterAppend(entry: LogEntry, source: 'client' | 'server'): void {
    this.metrics.updates.inc({ source });
    this.metrics.updateBytes.inc(entry.update.byteLength);
    const state = this.docs.get(entry.docName);
    if (!state) return;
    state.tailRows += 1;
    state.tailBytes += entry.update.byteLength;
    if (state.tailRows >= this.compactEveryRows || state.tailBytes >= this.compactEveryBytes) this.scheduleCompaction(entry.docName);
  }

  private enqueue(entry: LogEntry, deadline: number): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed', true));
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const pending: Pending = {
        entry,
        settled: false,
        resolve: () => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(timer);
          reject(error);
        },
      };
      if (Number.isFinite(deadline)) {
        // The deadline fires even while an INSERT hangs: the client is told "not saved" in time.
        timer = setTimeout(() => {
          if (pending.settled) return;
          this.metrics.storeGaveUp.inc();
          pending.reject(new StoreUnavailableError('storage unavailable', false));
        }, Math.max(0, deadline - Date.now()));
      }
      this.queue.push(pending);
      this.kick();
    });
  }

  private kick(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.writeBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.kick();
      });
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let attempt = 0;
    for (;;) {
      // Entries whose deadline passed were already refused: do not write them.
      const pending = batch.filter((p) => !p.settled);
      if (pending.length === 0) return;
      try {
        await withTimeout(
          appendUpdates(
            this.options.sql,
            pending.map((p) => p.entry),
          ),
          this.attemptTimeoutMs,
        );
        this.metrics.batchSize.observe(pending.length);
        for (const p of pending) p.resolve();
        return;
      } catch (error) {
        this.metrics.storeFailures.inc({ op: 'append' });
        if (isPermanent(error)) {
          if (pending.length === 1) {
            this.options.log.warn({ err: error, doc: pending[0].entry.docName }, 'update refused by PostgreSQL');
            pending[0].reject(new StoreUnavailableError(`update refused: ${(error as Error).message}`, true));
            return;
          }
          // One bad row fails the whole INSERT: isolate it by writing rows one at a time.
          await Promise.all(pending.map((p) => this.writeBatch([p])));
          return;
        }
        attempt += 1;
        batch = pending;
        // At most ~1 s: once PostgreSQL is back, waiting edits should be acknowledged within a second.
        const backoff = Math.min(1_000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
        this.options.log.error({ err: error, attempt, rows: pending.length, retryInMs: Math.round(backoff) }, 'appending to the update log failed; retrying');
        await sleep(backoff);
      }
    }
  }

  /** Compact soon, one compaction at a time per process (it is background work). */
  scheduleCompaction(docName: string): void {
    const state = this.docs.get(docName);
    if (state?.compacting) return;
    const run = this.compactions.then(() => this.compactNow(docName).then(
      () => undefined,
      () => undefined,
    ));
    this.compactions = run;
    if (state) {
      state.compacting = run;
      void run.finally(() => {
        state.compacting = null;
      });
    }
  }

  /** Fold the document's log into its snapshot now. Safe from any instance at any time. */
  async compactNow(docName: string): Promise<number> {
    const started = performance.now();
    try {
      let total = 0;
      // Loop in chunks so one huge backlog does not become one huge transaction.
      for (;;) {
        const result = await compactDoc(this.options.sql, docName, { maxRows: 5_000 });
        total += result.merged;
        if (result.merged < 5_000) break;
      }
      const state = this.docs.get(docName);
      if (state) {
        state.tailRows = 0;
        state.tailBytes = 0;
      }
      this.metrics.compactionSeconds.observe((performance.now() - started) / 1000);
      return total;
    } catch (error) {
      this.metrics.storeFailures.inc({ op: 'compact' });
      this.options.log.error({ err: error, doc: docName }, 'compaction failed; the log is intact and it will be retried');
      throw error;
    }
  }

  /** Wait for every queued write, then refuse new ones. */
  async close(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0 || this.pendingCount() > 0) await sleep(10);
    await this.compactions;
    this.closed = true;
  }
}
