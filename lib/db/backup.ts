/**
 * Logical backups: accounts, projects, memberships, documents (compacted to one state per
 * document), assets, generations and the audit log, as gzip'd JSON lines. The same code backs
 * up a real PostgreSQL and the embedded PGlite, and restores into a fresh database of either.
 *
 * Format (koma-backup v1): first line {format, version, createdAt}; then one line per row
 * {t: table, r: row} with bytea columns as base64; last line {end: true, counts}. A file
 * without its end line is refused (a truncated backup must never half-restore).
 */
import { createGunzip, createGzip } from 'node:zlib';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Db } from './client';
import { loadDocState } from './docstore';

export const BACKUP_FORMAT = 'koma-backup';
export const BACKUP_VERSION = 1;

interface TableSpec {
  name: string;
  columns: string[];
  bytea: string[];
  order: string;
}

// In dependency order, so a restore satisfies every foreign key as it goes.
const TABLES: TableSpec[] = [
  { name: 'users', columns: ['id', 'email', 'name', 'password_hash', 'created_at'], bytea: [], order: 'created_at, id' },
  { name: 'projects', columns: ['id', 'owner_id', 'title', 'language', 'reading_direction', 'page_format', 'created_at', 'updated_at', 'current_phase', 'cover_asset_id'], bytea: [], order: 'created_at, id' },
  { name: 'memberships', columns: ['project_id', 'user_id', 'role', 'created_at'], bytea: [], order: 'project_id, user_id' },
  { name: 'assets', columns: ['id', 'project_id', 'content_hash', 'mime', 'size_bytes', 'width', 'height', 'bytes', 'created_at'], bytea: ['bytes'], order: 'id' },
  {
    name: 'generations',
    columns: ['id', 'project_id', 'phase', 'job_id', 'provider', 'model', 'prompt_hash', 'input_tokens', 'output_tokens', 'images', 'cost_jpy', 'duration_ms', 'outcome', 'error', 'created_at'],
    bytea: [],
    order: 'created_at, id',
  },
  { name: 'audit_log', columns: ['id', 'at', 'actor_id', 'action', 'project_id', 'target', 'ip', 'details'], bytea: [], order: 'id' },
];

type Row = Record<string, unknown>;

export interface BackupCounts {
  [table: string]: number;
}

function encodeRow(spec: TableSpec, row: Row): Row {
  const out: Row = {};
  for (const column of spec.columns) {
    const value = row[column];
    out[column] = spec.bytea.includes(column) && value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

async function* backupLines(sql: Db): AsyncGenerator<string> {
  const counts: BackupCounts = {};
  yield JSON.stringify({ format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString() });
  for (const spec of TABLES) {
    counts[spec.name] = 0;
    const cursor = sql.unsafe(`SELECT ${spec.columns.join(', ')} FROM ${spec.name} ORDER BY ${spec.order}`).cursor(200);
    for await (const rows of cursor) {
      for (const row of rows as Row[]) {
        counts[spec.name] += 1;
        yield JSON.stringify({ t: spec.name, r: encodeRow(spec, row) });
      }
    }
  }
  // Documents: one compacted state each (snapshot + log tail merged), so a restore is exact
  // without replaying the log.
  counts.documents = 0;
  const docs = await sql<{ doc_name: string; project_id: string | null }[]>`
    SELECT doc_name, max(project_id::text)::uuid AS project_id FROM (
      SELECT doc_name, project_id FROM doc_snapshots UNION ALL SELECT doc_name, project_id FROM doc_updates
    ) d GROUP BY doc_name ORDER BY doc_name`;
  for (const doc of docs) {
    const state = await loadDocState(sql, doc.doc_name);
    if (!state) continue;
    counts.documents += 1;
    yield JSON.stringify({ t: 'documents', r: { doc_name: doc.doc_name, project_id: doc.project_id, state: Buffer.from(state).toString('base64') } });
  }
  yield JSON.stringify({ end: true, counts });
}

export async function backupToFile(sql: Db, file: string): Promise<BackupCounts> {
  let counts: BackupCounts = {};
  const source = Readable.from(
    (async function* () {
      for await (const line of backupLines(sql)) {
        if (line.startsWith('{"end"')) counts = (JSON.parse(line) as { counts: BackupCounts }).counts;
        yield `${line}\n`;
      }
    })(),
  );
  await pipeline(source, createGzip(), createWriteStream(file, { mode: 0o600 }));
  return counts;
}

export class BackupError extends Error {}

/**
 * Restore a backup into an empty, migrated database, all in one transaction: either every
 * row is in, or nothing is.
 */
export async function restoreFromFile(sql: Db, file: string): Promise<BackupCounts> {
  const existing = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM users`;
  if ((existing[0]?.n ?? 0) > 0) throw new BackupError('the target database is not empty: restore into a fresh database');

  const counts: BackupCounts = {};
  let header = false;
  let ended = false;
  await sql.begin(async (tx) => {
    // Opened here, not before `begin`: readline drops lines emitted before iteration starts.
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { format?: string; version?: number; t?: string; r?: Row; end?: boolean };
      if (!header) {
        if (entry.format !== BACKUP_FORMAT || entry.version !== BACKUP_VERSION) throw new BackupError('not a koma-backup v1 file');
        header = true;
        continue;
      }
      if (entry.end) {
        ended = true;
        continue;
      }
      if (!entry.t || !entry.r) throw new BackupError('malformed backup line');
      counts[entry.t] = (counts[entry.t] ?? 0) + 1;
      if (entry.t === 'documents') {
        const state = Buffer.from(String(entry.r.state), 'base64');
        await tx`INSERT INTO doc_snapshots (doc_name, project_id, state, upto_seq) VALUES (${String(entry.r.doc_name)}, ${(entry.r.project_id as string | null) ?? null}, ${state}, 0)`;
        continue;
      }
      const spec = TABLES.find((t) => t.name === entry.t);
      if (!spec) throw new BackupError(`unknown table ${entry.t}`);
      const row: Row = {};
      for (const column of spec.columns) {
        const value = entry.r[column];
        row[column] =
          spec.bytea.includes(column) && typeof value === 'string' ? Buffer.from(value, 'base64')
          : value === undefined ? null
          : value;
      }
      await tx`INSERT INTO ${tx(spec.name)} ${tx(row as Record<string, never>, spec.columns as never[])}`;
    }
    if (!header || !ended) throw new BackupError('the backup is truncated (no end marker): nothing was restored');
    // Keep serial columns ahead of restored ids.
    await tx`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), GREATEST((SELECT max(id) FROM audit_log), 1))`;
  });
  return counts;
}
