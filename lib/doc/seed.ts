/**
 * Seeding and schema upgrades of a project document.
 *
 * Both are written as *deterministic updates*: the change is made in a scratch Y.Doc whose
 * clientID is a hash of everything the change depends on (the seed's inputs; the exact prior
 * state for an upgrade), then applied to the real doc. Two processes doing the same seed or
 * the same upgrade at the same moment therefore produce byte-identical updates with the same
 * item ids, and Yjs merges them as one: no duplicated source text, no second `phases` map
 * silently replacing the first. Different inputs hash to different clientIDs, so they can never
 * be mistaken for each other (that would make docs diverge).
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { PHASES } from '../../schema/phases';
import { PAGE_FORMAT_NAMES } from '../engine/types';
import { isProjectId } from './names';
import { wellFormed } from './text';
import { DocError, META, PHASES_KEY, SOURCE, metaMap, num, phasesMap, type WriteOptions, DOC_ORIGIN } from './model';

/** Bump with a migration in MIGRATIONS below and a section in docs/DOC-SCHEMA.md. */
export const DOC_SCHEMA_VERSION = 1;

export const projectInitSchema = z.object({
  projectId: z.string().refine(isProjectId, 'projectId must be a lower-case uuid'),
  title: z.string().min(1).max(200),
  language: z.enum(['ja', 'en']),
  readingDirection: z.enum(['rtl', 'ltr']),
  pageFormat: z.enum(PAGE_FORMAT_NAMES as readonly ['B5', 'A5', 'B6', 'US']),
  sourceText: z.string().max(200_000),
});
export type ProjectInit = z.infer<typeof projectInitSchema>;

/** FNV-1a, 32 bit: a stable clientID from bytes (Yjs clientIDs are uint32). */
function fnv1a(bytes: Uint8Array, salt: string): number {
  let h = 0x811c9dc5;
  const mix = (b: number): void => {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const b of new TextEncoder().encode(salt)) mix(b);
  for (const b of bytes) mix(b);
  return h >>> 0;
}

/**
 * The update `fn` makes on top of `base` (a full state, or null), made with a clientID derived
 * from (salt, base), so identical calls anywhere yield identical updates.
 */
export function deterministicUpdate(base: Uint8Array | null, salt: string, fn: (doc: Y.Doc) => void): Uint8Array {
  const scratch = new Y.Doc();
  if (base) Y.applyUpdate(scratch, base);
  const before = Y.encodeStateVector(scratch);
  const known = Y.decodeStateVector(before);
  let clientID = fnv1a(base ?? new Uint8Array(), salt);
  // Never reuse a clientID that already wrote to this doc: its clock would collide.
  while (known.has(clientID)) clientID = fnv1a(Uint8Array.of(clientID & 0xff, (clientID >>> 8) & 0xff), salt + '+');
  scratch.clientID = clientID;
  scratch.transact(() => fn(scratch));
  const update = Y.encodeStateAsUpdate(scratch, before);
  scratch.destroy();
  return update;
}

function phaseSkeleton(): Y.Map<unknown> {
  const p = new Y.Map<unknown>();
  p.set('status', 'idle');
  p.set('statusReason', null);
  p.set('activeBranchId', null);
  p.set('updatedAt', null);
  p.set('approval', null);
  p.set('staleFrom', []);
  p.set('run', new Y.Map<unknown>());
  p.set('branches', new Y.Map<unknown>());
  return p;
}

/**
 * The initial state of a new project, as one Yjs update. The web API stores it as the doc's
 * first snapshot when it creates the project, so clients never seed (STACK gotcha 1).
 * Deterministic: the same init always gives the same bytes.
 */
export function createSeedUpdate(init: ProjectInit): Uint8Array {
  const parsed = projectInitSchema.safeParse(init);
  if (!parsed.success) throw new DocError('invalid', `bad project init: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const v = { ...parsed.data, title: wellFormed(parsed.data.title), sourceText: wellFormed(parsed.data.sourceText) };
  return deterministicUpdate(null, `koma-seed:${JSON.stringify(v)}`, (d) => {
    const meta = d.getMap<unknown>(META);
    meta.set('schemaVersion', DOC_SCHEMA_VERSION);
    meta.set('projectId', v.projectId);
    meta.set('title', v.title);
    meta.set('language', v.language);
    meta.set('readingDirection', v.readingDirection);
    meta.set('pageFormat', v.pageFormat);
    if (v.sourceText.length > 0) d.getText(SOURCE).insert(0, v.sourceText);
    const phases = d.getMap<unknown>(PHASES_KEY);
    for (const phase of PHASES) phases.set(phase, phaseSkeleton());
  });
}

export function isSeeded(doc: Y.Doc): boolean {
  return typeof metaMap(doc).get('projectId') === 'string';
}

/**
 * Seed `doc` if it is not seeded yet; a seeded doc is left alone (returns false).
 * Prefer storing createSeedUpdate() server-side; this is for the server's own use and tests.
 */
export function seedProjectDoc(doc: Y.Doc, init: ProjectInit, opts?: WriteOptions): boolean {
  const update = createSeedUpdate(init); // validates first: a bad init changes nothing
  if (isSeeded(doc)) {
    const existing = metaMap(doc).get('projectId');
    if (existing !== init.projectId) throw new DocError('conflict', `doc already belongs to project ${String(existing)}`);
    return false;
  }
  Y.applyUpdate(doc, update, opts?.origin ?? DOC_ORIGIN);
  return true;
}

/** The doc's schema version; 0 for a pre-versioning doc; null for an empty (never seeded) doc. */
export function docSchemaVersion(doc: Y.Doc): number | null {
  const v = num(metaMap(doc).get('schemaVersion'));
  if (v !== null) return v;
  return isSeeded(doc) || phasesMap(doc).size > 0 ? 0 : null;
}

/** Writes are only made to docs of exactly this code's schema (an older doc must be upgraded first, a newer one belongs to newer code). */
export function assertCurrentSchema(doc: Y.Doc): void {
  const v = docSchemaVersion(doc);
  if (v === null) throw new DocError('not-seeded', 'the document is not seeded');
  if (v !== DOC_SCHEMA_VERSION) {
    throw new DocError('schema-mismatch', `document schema v${v}, this code writes v${DOC_SCHEMA_VERSION}${v < DOC_SCHEMA_VERSION ? ' (run upgradeProjectDoc)' : ''}`);
  }
}

/**
 * One migration per version step: migrates a doc at version `from` to `from + 1`, writing into
 * the scratch doc of a deterministic update. Must be a pure function of the doc's state.
 */
const MIGRATIONS: Record<number, (doc: Y.Doc) => void> = {
  /**
   * v0 (the pre-release prototype): no schemaVersion; phase maps without `run`, `statusReason`,
   * `approval`, `staleFrom`; branch `origin` a bare display name; `basedOn`/`pinned` missing.
   */
  0: (doc) => {
    const phases = doc.getMap<unknown>(PHASES_KEY);
    for (const phase of PHASES) {
      let p = phases.get(phase);
      if (!(p instanceof Y.Map)) {
        p = phaseSkeleton();
        phases.set(phase, p);
        continue;
      }
      const pm = p as Y.Map<unknown>;
      const defaults: Record<string, unknown> = { status: 'idle', statusReason: null, activeBranchId: null, updatedAt: null, approval: null, staleFrom: [] };
      for (const [k, v] of Object.entries(defaults)) if (!pm.has(k)) pm.set(k, v);
      if (!(pm.get('run') instanceof Y.Map)) pm.set('run', new Y.Map<unknown>());
      let branches = pm.get('branches');
      if (!(branches instanceof Y.Map)) {
        branches = new Y.Map<unknown>();
        pm.set('branches', branches);
      }
      for (const [id, b] of (branches as Y.Map<unknown>).entries()) {
        if (!(b instanceof Y.Map)) continue;
        const origin = b.get('origin');
        if (typeof origin === 'string') b.set('origin', { kind: 'human', id: '', name: origin });
        if (!b.has('id')) b.set('id', id);
        if (!b.has('basedOn')) b.set('basedOn', {});
        if (!b.has('pinned')) b.set('pinned', false);
        if (!b.has('state')) b.set('state', 'ready');
        for (const k of ['parentBranchId', 'feedback', 'jobId', 'model', 'seed', 'costJpy']) if (!b.has(k)) b.set(k, null);
        if (!(b.get('content') instanceof Y.Map)) b.set('content', new Y.Map<unknown>());
      }
    }
    doc.getMap<unknown>(META).set('schemaVersion', 1);
  },
};

export interface UpgradeResult {
  from: number | null;
  to: number | null;
  changed: boolean;
}

/**
 * Bring a doc up to DOC_SCHEMA_VERSION, one step at a time. Run it where the doc is loaded
 * (the collab-server, before clients sync); it is also safe for two processes to run it at
 * once (deterministic updates). A doc newer than this code is refused, never downgraded.
 */
export function upgradeProjectDoc(doc: Y.Doc, opts?: WriteOptions): UpgradeResult {
  const from = docSchemaVersion(doc);
  if (from === null) return { from, to: null, changed: false };
  if (from > DOC_SCHEMA_VERSION) throw new DocError('schema-mismatch', `document schema v${from} is newer than this code (v${DOC_SCHEMA_VERSION})`);
  let v = from;
  while (v < DOC_SCHEMA_VERSION) {
    const migrate = MIGRATIONS[v];
    if (!migrate) throw new DocError('schema-mismatch', `no migration from schema v${v}`);
    const update = deterministicUpdate(Y.encodeStateAsUpdate(doc), `koma-upgrade:${v}`, migrate);
    Y.applyUpdate(doc, update, opts?.origin ?? DOC_ORIGIN);
    v += 1;
  }
  return { from, to: v, changed: v !== from };
}
