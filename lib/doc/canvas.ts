/**
 * The name (storyboard) canvas: a branch of the `name` phase keeps its pages and panels as
 * records in a YKeyValue (y-utility) over the Y.Array at content.get('canvas').
 *
 * Why records and not nested Y.Maps: the studio binds tldraw's store to the doc one record at
 * a time, and tldraw writes whole records. A YKeyValue gives exactly that (last write of one
 * record wins; writes to different records never interfere) and stays compact when the same
 * records are updated over and over (a dragged panel), which a Y.Map does not.
 *
 *   key 'page:<n>'       → { kind: 'page', index }                  (one per page)
 *   key 'panel:<id>'     → { kind: 'panel', page: 'page:<n>', …NamePanel }   (one per panel)
 *
 * A panel names its page by the page record's key, not by index, so pages can be renumbered
 * (inserted, reordered) by rewriting only page records.
 */
import * as Y from 'yjs';
import { YKeyValue } from 'y-utility/y-keyvalue';
import { z } from 'zod';
import { namePageSchema, type NamePanel } from '../../schema/phases';
import type { Json } from './convert';
import { plainCopy } from './text';

export const CANVAS_KEY = 'canvas';

export interface CanvasPageRecord {
  kind: 'page';
  index: number;
}
export type CanvasPanelRecord = NamePanel & { kind: 'panel'; page: string };
export type CanvasRecord = CanvasPageRecord | CanvasPanelRecord;
/** One element of the canvas Y.Array, as YKeyValue stores it. */
export interface NameCanvasEntry {
  key: string;
  val: CanvasRecord;
}

export const pageKey = (index: number): string => `page:${index}`;
export const panelKey = (panelId: string): string => `panel:${panelId}`;

const pagesSchema = z.array(namePageSchema);

export class CanvasError extends Error {}

/**
 * The canvas records for a list of name pages. Duplicate panel ids are refused because one
 * would silently replace the other. Pass `validated` when the pages were already checked
 * against the name schema (the writers in branches.ts do): parsing 1,000 panels again costs
 * tens of milliseconds on every write.
 */
export function canvasRecordsFromPages(pages: unknown, opts: { validated?: boolean } = {}): NameCanvasEntry[] {
  const parsed = opts.validated ? (pages as z.infer<typeof pagesSchema>) : pagesSchema.parse(pages);
  const out: NameCanvasEntry[] = [];
  const seenPages = new Set<string>();
  const seenPanels = new Set<string>();
  for (const page of parsed) {
    const pk = pageKey(page.index);
    if (seenPages.has(pk)) throw new CanvasError(`duplicate page index ${page.index}`);
    seenPages.add(pk);
    out.push({ key: pk, val: { kind: 'page', index: page.index } });
    for (const panel of page.panels) {
      const k = panelKey(panel.id);
      if (seenPanels.has(k)) throw new CanvasError(`duplicate panel id ${JSON.stringify(panel.id)}`);
      seenPanels.add(k);
      // A fresh, well-formed copy: records are stored as plain values and must not share arrays with the caller.
      const val = plainCopy({ kind: 'panel', page: pk, ...panel }) as CanvasPanelRecord;
      out.push({ key: k, val });
    }
  }
  return out;
}

/** Replace every record of an integrated canvas array (inside a transaction). */
export function replaceCanvas(arr: Y.Array<NameCanvasEntry>, pages: unknown, opts: { validated?: boolean } = {}): void {
  const entries = canvasRecordsFromPages(pages, opts);
  if (arr.length > 0) arr.delete(0, arr.length);
  arr.push(entries);
}

/**
 * The live records, resolving duplicates the way YKeyValue does (the rightmost entry of a key
 * wins): after a merge of concurrent writes a key can briefly appear twice until a YKeyValue
 * instance cleans it up, and readers must not see both.
 */
export function canvasRecords(arr: Y.Array<NameCanvasEntry>): Map<string, CanvasRecord> {
  const map = new Map<string, CanvasRecord>();
  for (const e of arr.toArray()) {
    if (e && typeof e === 'object' && typeof e.key === 'string') {
      map.delete(e.key); // keep Map insertion order = document order of the winning entry
      map.set(e.key, e.val);
    }
  }
  return map;
}

/** Canvas records → name pages (sorted by page index, panels by reading order; empty pages left out). */
export function pagesFromCanvas(arr: Y.Array<NameCanvasEntry>): Json {
  const records = canvasRecords(arr);
  const pages = new Map<string, { index: number; panels: CanvasPanelRecord[] }>();
  for (const [key, rec] of records) {
    if (rec?.kind === 'page') pages.set(key, { index: rec.index, panels: [] });
  }
  let nextIndex = Math.max(-1, ...Array.from(pages.values(), (p) => p.index)) + 1;
  for (const rec of records.values()) {
    if (rec?.kind !== 'panel') continue;
    let page = pages.get(rec.page);
    if (!page) {
      // A panel whose page record was deleted concurrently: keep it visible on a page of its own rather than lose it.
      page = { index: nextIndex++, panels: [] };
      pages.set(rec.page, page);
    }
    page.panels.push(rec);
  }
  // A page whose panels were all deleted is no page of the book (and the schema wants ≥ 1 panel);
  // its record stays on the canvas for the studio to show or remove.
  const sorted = Array.from(pages.values())
    .filter((p) => p.panels.length > 0)
    .sort((a, b) => a.index - b.index);
  return sorted.map((p) => ({
    index: p.index,
    panels: p.panels
      .sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ kind: _kind, page: _page, ...panel }) => JSON.parse(JSON.stringify(panel)) as Json),
  })) as Json;
}

// One YKeyValue per array: each instance installs an observer that is never removed, so
// creating one per call would leak observers and run the duplicate clean-up many times.
const keyValues = new WeakMap<Y.Array<NameCanvasEntry>, YKeyValue<CanvasRecord>>();

/** The shared YKeyValue over an integrated canvas array (what the studio's tldraw store binds to). */
export function canvasKeyValue(arr: Y.Array<NameCanvasEntry>): YKeyValue<CanvasRecord> {
  if (!arr.doc) throw new CanvasError('the canvas array is not part of a document');
  let kv = keyValues.get(arr);
  if (!kv) {
    // The YKeyValue's array type parameter is {key, val}; ours is the same shape, named.
    kv = new YKeyValue<CanvasRecord>(arr as unknown as Y.Array<{ key: string; val: CanvasRecord }>);
    keyValues.set(arr, kv);
  }
  return kv;
}
