/**
 * JSON ↔ Yjs for branch content.
 *
 * The generic rule: objects → Y.Map, arrays → Y.Array, scalars stay plain values, so two people
 * editing different fields (or different items of a list) merge instead of clobbering. Three
 * exceptions, each for a reason:
 *  - PROSE_FIELDS become Tiptap-shaped Y.XmlFragments (see prose.ts) so people co-edit them;
 *  - the name phase's pages/panels become records in a YKeyValue over content.get('canvas')
 *    (see canvas.ts) so the studio's tldraw store can bind one record per panel;
 *  - geometry tuples (ATOMIC_FIELDS) stay plain arrays: a bbox is one value, and two concurrent
 *    edits of one as a Y.Array would merge into a 5- or 6-element array that no schema accepts.
 */
import * as Y from 'yjs';
import { PROSE_FIELDS, type Phase } from '../../schema/phases';
import { fragmentFromText, fragmentToText, replaceFragmentText } from './prose';
import { wellFormed } from './text';
import { CANVAS_KEY, canvasRecordsFromPages, pagesFromCanvas, replaceCanvas, type NameCanvasEntry } from './canvas';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Keys whose (tuple) values are stored atomically as plain arrays. */
export const ATOMIC_FIELDS: ReadonlySet<string> = new Set(['bboxMm', 'faceMm', 'bodyMm', 'tailTipMm', 'sourceSpan']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Y.AbstractType);
}

/**
 * A deep copy of a plain JSON value (values read out of a doc are shared with the doc's own
 * state), with strings made well-formed (see text.ts).
 */
export function cloneJson(value: unknown): Json {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isPlainObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = cloneJson(v);
    return out;
  }
  if (typeof value === 'string') return wellFormed(value);
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number in content');
    return value;
  }
  throw new TypeError(`not JSON: ${typeof value}`);
}

/** Generic JSON → Y (not yet integrated). `key` is the field name the value sits under. */
export function jsonToY(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    if (key !== undefined && ATOMIC_FIELDS.has(key)) return cloneJson(value);
    const arr = new Y.Array<unknown>();
    arr.push(value.map((v) => jsonToY(v)));
    return arr;
  }
  if (isPlainObject(value)) {
    const map = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(value)) if (v !== undefined) map.set(k, jsonToY(v, k));
    return map;
  }
  return cloneJson(value);
}

/** Generic Y → JSON. Prose fragments read as plain text. */
export function yToJson(value: unknown): Json {
  if (value instanceof Y.Map) {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of value.entries()) out[k] = yToJson(v);
    return out;
  }
  if (value instanceof Y.Array) return value.toArray().map(yToJson);
  if (value instanceof Y.XmlFragment) return fragmentToText(value);
  if (value instanceof Y.Text) return value.toString();
  return cloneJson(value);
}

function isProse(phase: Phase, key: string): boolean {
  return PROSE_FIELDS[phase].includes(key);
}

/**
 * The Y value stored under `key` of a phase's content for a JSON field value.
 * For name.pages this returns the canvas Y.Array (stored under CANVAS_KEY, not 'pages').
 */
export function contentEntryToY(phase: Phase, key: string, value: unknown): { key: string; value: unknown } {
  if (isProse(phase, key)) return { key, value: fragmentFromText(typeof value === 'string' ? value : '') };
  if (phase === 'name' && key === 'pages') {
    const arr = new Y.Array<NameCanvasEntry>();
    arr.push(canvasRecordsFromPages(value, { validated: true }));
    return { key: CANVAS_KEY, value: arr };
  }
  return { key, value: jsonToY(value, key) };
}

/** Fill a fresh (not integrated) content map, or build one, from a phase output. */
export function contentToY(phase: Phase, output: Record<string, unknown>): Y.Map<unknown> {
  const map = emptyContent(phase);
  for (const [k, v] of Object.entries(output)) {
    if (v === undefined) continue;
    const entry = contentEntryToY(phase, k, v);
    map.set(entry.key, entry.value);
  }
  return map;
}

/**
 * A content map holding the shared types editors bind to (empty prose fragments, the empty
 * canvas) before any content arrives, so a streaming agent and an open editor use the same
 * objects from the first moment.
 */
export function emptyContent(phase: Phase): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  for (const f of PROSE_FIELDS[phase]) map.set(f, new Y.XmlFragment());
  if (phase === 'name') map.set(CANVAS_KEY, new Y.Array<NameCanvasEntry>());
  return map;
}

/**
 * Replace the content of an integrated content map with an output. Prose fragments and the
 * canvas array are emptied and refilled in place (bound editors keep their binding); every
 * other field is replaced; fields absent from the output are removed.
 */
export function replaceContent(phase: Phase, content: Y.Map<unknown>, output: Record<string, unknown>): void {
  const keep = new Set<string>();
  for (const [k, v] of Object.entries(output)) {
    if (v === undefined) continue;
    if (isProse(phase, k)) {
      const existing = content.get(k);
      const text = typeof v === 'string' ? v : '';
      if (existing instanceof Y.XmlFragment) replaceFragmentText(existing, text);
      else content.set(k, fragmentFromText(text));
      keep.add(k);
    } else if (phase === 'name' && k === 'pages') {
      const existing = content.get(CANVAS_KEY);
      if (existing instanceof Y.Array) replaceCanvas(existing as Y.Array<NameCanvasEntry>, v, { validated: true });
      else {
        const arr = new Y.Array<NameCanvasEntry>();
        arr.push(canvasRecordsFromPages(v, { validated: true }));
        content.set(CANVAS_KEY, arr);
      }
      keep.add(CANVAS_KEY);
    } else {
      content.set(k, jsonToY(v, k));
      keep.add(k);
    }
  }
  for (const k of Array.from(content.keys())) if (!keep.has(k)) content.delete(k);
}

/** Content map → the phase output as JSON (not validated; see readBranchContent). */
export function contentToJson(phase: Phase, content: Y.Map<unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of content.entries()) {
    if (phase === 'name' && k === CANVAS_KEY && v instanceof Y.Array) {
      out.pages = pagesFromCanvas(v as Y.Array<NameCanvasEntry>);
    } else {
      out[k] = yToJson(v);
    }
  }
  return out;
}
