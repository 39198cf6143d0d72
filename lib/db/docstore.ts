/**
 * The SQL-level document store: where a Yjs update is made durable.
 *
 * Model: `doc_updates` is a write-ahead log of raw Yjs updates, `doc_snapshots` holds one
 * compacted state per document. The state of a document is always
 *   snapshot (if any)  ⊕  every row still in the log for that document,
 * applied in any order — Yjs updates are commutative and idempotent, which is what lets this
 * module stay lock-free on the hot path:
 * - appends never lock (one multi-row INSERT per group commit);
 * - compaction merges the rows it read into the snapshot and deletes exactly those rows
 *   (by seq, not by "seq <= n"), so a row committed late with a lower seq is never lost;
 * - load reads snapshot and log in ONE statement, so it never sees a compaction half done.
 *
 * The web API calls `storeInitialSnapshot` when it creates a project (the only place a work
 * document is ever seeded) and `deleteProjectDocs` when it deletes one.
 */
import * as Y from 'yjs';
import type { Db } from './client';

// ---------------------------------------------------------------------------------------------
// Document names

// One definition of the names, in lib/doc; re-exported here for the store's callers.
import { parseDocName, reviewDocName, workDocName, type DocKind, type ParsedDocName } from '../doc/names';
export { parseDocName, reviewDocName, workDocName, type DocKind, type ParsedDocName };

// ---------------------------------------------------------------------------------------------
// Writes

export interface LogEntry {
  docName: string;
  projectId: string;
  update: Uint8Array;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Append updates to the log in ONE statement (the group commit: one round trip and one WAL
 * flush for everything batched). Returns the seq of each row, in input order.
 */
export async function appendUpdates(sql: Db, entries: readonly LogEntry[]): Promise<string[]> {
  if (entries.length === 0) return [];
  // Built by hand (placeholders only, never values): postgres.js' row helper does not type-check
  // against our Db type. Rows come back in VALUES order.
  const params: (string | Uint8Array)[] = [];
  const tuples = entries.map((e, i) => {
    params.push(e.docName, e.projectId, toBuffer(e.update));
    return `($${i * 3 + 1}, $${i * 3 + 2}::uuid, $${i * 3 + 3}::bytea)`;
  });
  const result = await sql.unsafe<{ seq: string }[]>(
    `INSERT INTO doc_updates (doc_name, project_id, update) VALUES ${tuples.join(', ')} RETURNING seq`,
    params,
  );
  return result.map((r: { seq: string }) => String(r.seq));
}

/**
 * Seed a document with its first state (the web API, when it creates a project). Seeding
 * happens exactly once: a second call for the same document changes nothing and returns false,
 * so two racing requests can never duplicate content.
 */
export async function storeInitialSnapshot(sql: Db, docName: string, projectId: string, update: Uint8Array): Promise<boolean> {
  const parsed = parseDocName(docName);
  if (!parsed || parsed.projectId !== projectId.toLowerCase()) {
    throw new Error(`storeInitialSnapshot: ${docName} is not a document of project ${projectId}`);
  }
  assertValidUpdate(update);
  const rows = await sql`
    INSERT INTO doc_snapshots (doc_name, project_id, state, upto_seq)
    VALUES (${docName}, ${projectId}, ${toBuffer(update)}, 0)
    ON CONFLICT (doc_name) DO NOTHING
    RETURNING doc_name`;
  return rows.length === 1;
}

/** Remove every document, update and snapshot of a project (also covered by the FK cascade). */
export async function deleteProjectDocs(sql: Db, projectId: string): Promise<void> {
  const names = [workDocName(projectId), reviewDocName(projectId)];
  await sql.begin(async (tx) => {
    await tx`DELETE FROM doc_updates WHERE project_id = ${projectId} OR doc_name IN ${tx(names)}`;
    await tx`DELETE FROM doc_snapshots WHERE project_id = ${projectId} OR doc_name IN ${tx(names)}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Reads

export interface StoredDoc {
  /** The compacted state, or null when the document was never seeded nor compacted. */
  snapshot: Uint8Array | null;
  /** Log rows not yet compacted, in seq order. */
  updates: Uint8Array[];
  /** seq of the last log row read ('0' when none). */
  lastSeq: string;
  tailBytes: number;
}

/**
 * Load a document as snapshot + log tail. One statement on purpose: under READ COMMITTED each
 * statement sees one snapshot of the database, so a concurrent compaction is either fully
 * visible (rows folded into the snapshot) or not at all (rows still in the log).
 */
export async function loadDoc(sql: Db, docName: string): Promise<StoredDoc> {
  const rows = await sql<{ kind: number; seq: string; data: Buffer }[]>`
    SELECT 0 AS kind, 0::bigint AS seq, state AS data FROM doc_snapshots WHERE doc_name = ${docName}
    UNION ALL
    SELECT 1 AS kind, seq, update AS data FROM doc_updates WHERE doc_name = ${docName}
    ORDER BY kind, seq`;
  let snapshot: Uint8Array | null = null;
  const updates: Uint8Array[] = [];
  let lastSeq = '0';
  let tailBytes = 0;
  for (const row of rows) {
    const bytes = new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength);
    if (Number(row.kind) === 0) snapshot = bytes;
    else {
      updates.push(bytes);
      lastSeq = String(row.seq);
      tailBytes += bytes.byteLength;
    }
  }
  return { snapshot, updates, lastSeq, tailBytes };
}

/** Whether a document has a snapshot (a work document without one was never seeded). */
export async function hasSnapshot(sql: Db, docName: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM doc_snapshots WHERE doc_name = ${docName}`;
  return rows.length > 0;
}

/** Apply a stored document to a Y.Doc (in one transaction, so observers fire once). */
export function applyStoredDoc(doc: Y.Doc, stored: StoredDoc, origin: unknown = null): void {
  Y.transact(
    doc,
    () => {
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
      for (const update of stored.updates) Y.applyUpdate(doc, update);
    },
    origin,
  );
}

/** The merged state of a document as one update, or null when nothing is stored. */
export async function loadDocState(sql: Db, docName: string): Promise<Uint8Array | null> {
  const stored = await loadDoc(sql, docName);
  if (!stored.snapshot && stored.updates.length === 0) return null;
  const doc = new Y.Doc();
  try {
    applyStoredDoc(doc, stored);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Compaction

export interface CompactionResult {
  /** Log rows folded into the snapshot (0: nothing to do). */
  merged: number;
  snapshotBytes: number;
}

/**
 * Fold up to `maxRows` log rows into the snapshot. Any instance may call it at any time:
 * an advisory lock per document serialises compactions (two of them interleaving could
 * overwrite each other's snapshot), appends are never blocked, and only the rows actually
 * read are deleted.
 */
export async function compactDoc(sql: Db, docName: string, options: { maxRows?: number } = {}): Promise<CompactionResult> {
  const parsed = parseDocName(docName);
  const maxRows = options.maxRows ?? 10_000;
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`koma:doc:${docName}`}, 0))`;
    const snap = await tx<{ state: Buffer }[]>`SELECT state FROM doc_snapshots WHERE doc_name = ${docName}`;
    const rows = await tx<{ seq: string; update: Buffer }[]>`
      SELECT seq, update FROM doc_updates WHERE doc_name = ${docName} ORDER BY seq LIMIT ${maxRows}`;
    if (rows.length === 0) return { merged: 0, snapshotBytes: snap[0]?.state.byteLength ?? 0 };
    const doc = new Y.Doc();
    let state: Uint8Array;
    try {
      Y.transact(doc, () => {
        if (snap[0]) Y.applyUpdate(doc, snap[0].state);
        for (const row of rows) Y.applyUpdate(doc, row.update);
      });
      // Re-encoding from a Y.Doc (not Y.mergeUpdates) lets Yjs garbage-collect deleted content;
      // updates still waiting for missing dependencies are kept by encodeStateAsUpdate.
      state = Y.encodeStateAsUpdate(doc);
    } finally {
      doc.destroy();
    }
    const lastSeq = rows[rows.length - 1].seq;
    await tx`
      INSERT INTO doc_snapshots (doc_name, project_id, state, upto_seq, updated_at)
      VALUES (${docName}, ${parsed?.projectId ?? null}, ${toBuffer(state)}, ${lastSeq}, now())
      ON CONFLICT (doc_name) DO UPDATE
        SET state = EXCLUDED.state, upto_seq = GREATEST(doc_snapshots.upto_seq, EXCLUDED.upto_seq), updated_at = now()`;
    const seqs = rows.map((r) => String(r.seq));
    await tx`DELETE FROM doc_updates WHERE doc_name = ${docName} AND seq IN ${tx(seqs)}`;
    return { merged: rows.length, snapshotBytes: state.byteLength };
  });
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Throws when `update` is not a well-formed Yjs (v1) update. */
export function assertValidUpdate(update: Uint8Array): void {
  // decodeUpdate reads every struct and the whole delete set, so truncated or garbage
  // bytes throw here instead of half-applying later.
  Y.decodeUpdate(update);
}

/**
 * Validate an update and say whether it carries nothing (no structs, no deletions) in one
 * decode. Throws when it is not a well-formed Yjs (v1) update.
 */
export function inspectUpdate(update: Uint8Array): { empty: boolean } {
  const decoded = Y.decodeUpdate(update);
  return { empty: decoded.structs.length === 0 && decoded.ds.clients.size === 0 };
}

/** Whether a (valid) update carries nothing: no structs and no deletions. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  const decoded = Y.decodeUpdate(update);
  return decoded.structs.length === 0 && decoded.ds.clients.size === 0;
}
