/**
 * The asset store: binary files (scene images, character references, rendered pages,
 * exports) live in PostgreSQL, never in a Yjs document. The doc keeps only asset ids.
 * An id is derived from the project and the content hash, so storing the same bytes twice is
 * a no-op (a retried job never duplicates an asset) and a URL's bytes never change — they
 * can be cached forever.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/client';

export interface AssetInput {
  bytes: Uint8Array;
  mime: string;
  width?: number | null;
  height?: number | null;
}

export interface AssetRow {
  id: string;
  projectId: string | null;
  contentHash: string;
  mime: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  bytes: Uint8Array;
}

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function assetIdFor(projectId: string | null, hash: string): string {
  return `a${createHash('sha256').update(`${projectId ?? 'global'}:${hash}`).digest('hex').slice(0, 40)}`;
}

export const ASSET_ID_PATTERN = /^a[0-9a-f]{40}(@(ultra|high|medium|low|preview))?$/;

export async function putAsset(sql: Db, projectId: string | null, input: AssetInput, idOverride?: string): Promise<string> {
  const hash = contentHash(input.bytes);
  const id = idOverride ?? assetIdFor(projectId, hash);
  await sql`
    INSERT INTO assets (id, project_id, content_hash, mime, size_bytes, width, height, bytes)
    VALUES (${id}, ${projectId}, ${hash}, ${input.mime}, ${input.bytes.byteLength}, ${input.width ?? null}, ${input.height ?? null}, ${Buffer.from(input.bytes)})
    ON CONFLICT (id) DO NOTHING`;
  return id;
}

export async function getAsset(sql: Db, id: string): Promise<AssetRow | null> {
  const rows = await sql<
    { id: string; project_id: string | null; content_hash: string; mime: string; size_bytes: number; width: number | null; height: number | null; bytes: Buffer }[]
  >`SELECT id, project_id, content_hash, mime, size_bytes, width, height, bytes FROM assets WHERE id = ${id}`;
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    projectId: row.project_id,
    contentHash: row.content_hash,
    mime: row.mime,
    sizeBytes: row.size_bytes,
    width: row.width,
    height: row.height,
    bytes: new Uint8Array(row.bytes),
  };
}
