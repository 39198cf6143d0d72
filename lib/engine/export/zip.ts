import { zipSync, type Zippable } from 'fflate';

/** A fixed timestamp: the same book must zip to the same bytes (content hashes, caching). */
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

export interface ZipEntry {
  name: string;
  bytes: Uint8Array;
  /** Images are already compressed: storing them is faster and no bigger. */
  compress: boolean;
}

/** Entries keep their order in the archive's central directory (readers that don't sort see it). */
export function zipEntries(entries: ZipEntry[]): Uint8Array {
  const data: Zippable = {};
  for (const e of entries) data[e.name] = [e.bytes, { level: e.compress ? 6 : 0, mtime: FIXED_MTIME }];
  return zipSync(data, { mtime: FIXED_MTIME });
}

/** 001, 002, … — zero-padded so a lexical sort is the reading order (≥ 3 digits, wider if needed). */
export function pageFileName(i: number, total: number, ext: string): string {
  const width = Math.max(3, String(total).length);
  return `${String(i + 1).padStart(width, '0')}.${ext}`;
}
