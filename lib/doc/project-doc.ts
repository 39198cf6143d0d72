/**
 * The project document: typed access to the Y.Doc `project:<uuid>` that holds a whole manga
 * project. This is the public entry; the parts live in small modules beside it:
 *   model.ts        shape, types, raw accessors, DocError
 *   seed.ts         DOC_SCHEMA_VERSION, seeding (createSeedUpdate), upgrades
 *   branches.ts     branches: create (idempotent by id, pruned at 10), content, fork, pin, delete
 *   phase-state.ts  status, run state, adopt, skip, reopen, approve, staleness
 *   convert.ts / prose.ts / canvas.ts   JSON ↔ Yjs for branch content
 * The schema is documented in docs/DOC-SCHEMA.md.
 */
import type * as Y from 'yjs';
import { z } from 'zod';
import { PAGE_FORMAT_NAMES } from '../engine/types';
import { DocError, metaMap, num, sourceText, str, write, type ProjectMeta, type WriteOptions } from './model';
import { assertCurrentSchema } from './seed';
import { wellFormed } from './text';

export * from './model';
export * from './seed';
export * from './branches';
export * from './phase-state';
export { fragmentToText, appendTextToFragment, replaceFragmentText, paragraphsFromText, PARAGRAPH, HARD_BREAK } from './prose';
export { CANVAS_KEY, pageKey, panelKey, canvasRecords, canvasKeyValue, type CanvasRecord, type CanvasPageRecord, type CanvasPanelRecord, type NameCanvasEntry } from './canvas';
export { ATOMIC_FIELDS, type Json } from './convert';
export { workDocName, reviewDocName, parseDocName, isProjectId, type DocKind, type ParsedDocName } from './names';

export function getProjectMeta(doc: Y.Doc): ProjectMeta {
  const m = metaMap(doc);
  const projectId = str(m.get('projectId'));
  if (projectId === null) throw new DocError('not-seeded', 'the document is not seeded');
  const language = m.get('language') === 'en' ? 'en' : 'ja';
  const dir = m.get('readingDirection') === 'ltr' ? 'ltr' : 'rtl';
  const format = (PAGE_FORMAT_NAMES as readonly unknown[]).includes(m.get('pageFormat')) ? (m.get('pageFormat') as ProjectMeta['pageFormat']) : 'B5';
  return {
    schemaVersion: num(m.get('schemaVersion')) ?? 0,
    projectId,
    title: str(m.get('title')) ?? '',
    language,
    readingDirection: dir,
    pageFormat: format,
  };
}

const metaPatchSchema = z
  .object({
    title: z.string().min(1).max(200),
    language: z.enum(['ja', 'en']),
    readingDirection: z.enum(['rtl', 'ltr']),
    pageFormat: z.enum(PAGE_FORMAT_NAMES as readonly ['B5', 'A5', 'B6', 'US']),
  })
  .partial()
  .strict();
export type ProjectMetaPatch = z.infer<typeof metaPatchSchema>;

/** Change title / language / reading direction / page format (projectId and schemaVersion are fixed). */
export function setProjectMeta(doc: Y.Doc, patch: ProjectMetaPatch, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const r = metaPatchSchema.safeParse(patch);
  if (!r.success) throw new DocError('invalid', `bad project settings: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const m = metaMap(doc);
  write(doc, opts, () => {
    for (const [k, raw] of Object.entries(r.data)) {
      const v = typeof raw === 'string' ? wellFormed(raw) : raw;
      if (v !== undefined && m.get(k) !== v) m.set(k, v);
    }
  });
}

/** The story text as pasted (and edited since). */
export function getSourceText(doc: Y.Doc): string {
  return sourceText(doc).toString();
}
