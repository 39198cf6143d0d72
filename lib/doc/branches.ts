/**
 * Branches of a phase: every agent run and every human fork is a new branch with provenance;
 * people and agents never write over each other's branch by accident.
 *
 * All validation happens before the transaction opens: Yjs has no rollback, so an operation
 * that threw half-way would leave half a change in the doc (and in everyone else's).
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { PHASE_INPUTS, PROSE_FIELDS, namePanelSchema, phaseOutputSchemas, phaseSchema, type Phase, type PhaseOutput } from '../../schema/phases';
import { canvasKeyValue, canvasRecordsFromPages, CANVAS_KEY, panelKey, type CanvasRecord, type NameCanvasEntry } from './canvas';
import { contentEntryToY, contentToJson, contentToY, emptyContent, jsonToY, replaceContent } from './convert';
import {
  BRANCH_STATES,
  DocError,
  MAX_BRANCHES_PER_PHASE,
  branchMap,
  branchesMap,
  contentMap,
  newId,
  phaseMap,
  readBranchInfo,
  str,
  write,
  type BranchInfo,
  type BranchState,
  type WriteOptions,
} from './model';
import { appendTextToFragment, replaceFragmentText } from './prose';
import { plainCopy, wellFormed } from './text';
import { assertCurrentSchema } from './seed';
import type { YKeyValue } from 'y-utility/y-keyvalue';

const branchIdSchema = z.string().min(1).max(100);
const originSchema = z.object({
  kind: z.enum(['human', 'agent']),
  id: z.string().max(200),
  name: z.string().max(200),
});

export const createBranchInputSchema = z.object({
  /** Workers derive it from the job id, so a retried job finds its branch instead of adding one. */
  id: branchIdSchema.optional(),
  origin: originSchema,
  parentBranchId: branchIdSchema.nullable().optional(),
  feedback: z.string().max(10_000).nullable().optional(),
  jobId: z.string().max(200).nullable().optional(),
  basedOn: z.partialRecord(phaseSchema, branchIdSchema).optional(),
  model: z.string().max(200).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  costJpy: z.number().nonnegative().finite().nullable().optional(),
  state: z.enum(BRANCH_STATES).optional(),
  /** A complete phase output; omit to create an empty branch an agent then streams into. */
  content: z.unknown().optional(),
});
export type CreateBranchInput = z.input<typeof createBranchInputSchema>;

export interface CreateBranchResult {
  branch: BranchInfo;
  /** false when a branch with this id already existed (a retried job): nothing was written. */
  created: boolean;
  /** Branches removed to stay within MAX_BRANCHES_PER_PHASE. */
  pruned: string[];
}

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validate a phase output; throws DocError('invalid') naming each problem. */
export function validateOutput<P extends Phase>(phase: P, output: unknown): PhaseOutput<P> {
  const r = phaseOutputSchemas[phase].safeParse(output);
  if (!r.success) throw new DocError('invalid', `${phase} output rejected: ${issues(r.error)}`);
  return r.data as PhaseOutput<P>;
}

/** Build the Y content for an output, surfacing conversion refusals (duplicate panel ids) as DocError. */
function buildContent(phase: Phase, output: Record<string, unknown>): Y.Map<unknown> {
  try {
    return contentToY(phase, output);
  } catch (e) {
    throw new DocError('invalid', `${phase} output rejected: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function activeId(doc: Y.Doc, phase: Phase): string | null {
  return str(phaseMap(doc, phase).get('activeBranchId'));
}

export function getBranch(doc: Y.Doc, phase: Phase, branchId: string): BranchInfo {
  return readBranchInfo(phase, branchId, branchMap(doc, phase, branchId), activeId(doc, phase));
}

/** Branches of a phase, oldest first. */
export function listBranches(doc: Y.Doc, phase: Phase): BranchInfo[] {
  const active = activeId(doc, phase);
  const out: BranchInfo[] = [];
  for (const [id, b] of branchesMap(doc, phase).entries()) if (b instanceof Y.Map) out.push(readBranchInfo(phase, id, b, active));
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Remove the oldest branches that are neither pinned, active nor in `keep`, down to the limit. */
function prune(doc: Y.Doc, phase: Phase, keep: Set<string>): string[] {
  const branches = branchesMap(doc, phase);
  let excess = branches.size - MAX_BRANCHES_PER_PHASE;
  if (excess <= 0) return [];
  const pruned: string[] = [];
  for (const b of listBranches(doc, phase)) {
    if (excess <= 0) break;
    if (b.pinned || b.active || keep.has(b.id)) continue;
    branches.delete(b.id);
    pruned.push(b.id);
    excess--;
  }
  return pruned;
}

/**
 * Add a branch to a phase (pruning the oldest unpinned, inactive ones beyond 10). Idempotent by
 * id: when `input.id` already exists this is a no-op that returns the existing branch.
 */
export function createBranch(doc: Y.Doc, phase: Phase, input: CreateBranchInput, opts?: WriteOptions): CreateBranchResult {
  assertCurrentSchema(doc);
  const parsed = createBranchInputSchema.safeParse(input);
  if (!parsed.success) throw new DocError('invalid', `bad branch: ${issues(parsed.error)}`);
  // Provenance strings made well-formed here; content is copied (and made well-formed) by the conversion.
  const v = { ...(plainCopy({ ...parsed.data, content: undefined }) as typeof parsed.data), content: parsed.data.content };
  const basedOn = v.basedOn ?? {};
  for (const up of Object.keys(basedOn)) {
    if (!(PHASE_INPUTS[phase] as readonly string[]).includes(up)) throw new DocError('invalid', `${phase} is not built from ${up}`);
  }
  const branches = branchesMap(doc, phase);
  const id = v.id ?? newId();
  if (branches.has(id)) return { branch: getBranch(doc, phase, id), created: false, pruned: [] };
  const content = v.content === undefined ? emptyContent(phase) : buildContent(phase, validateOutput(phase, v.content) as Record<string, unknown>);
  return write(doc, opts, (now) => {
    const b = new Y.Map<unknown>();
    b.set('id', id);
    b.set('origin', { kind: v.origin.kind, id: v.origin.id, name: v.origin.name });
    b.set('createdAt', now);
    b.set('parentBranchId', v.parentBranchId ?? null);
    b.set('feedback', v.feedback ?? null);
    b.set('jobId', v.jobId ?? null);
    b.set('pinned', false);
    b.set('basedOn', { ...basedOn });
    b.set('model', v.model ?? null);
    b.set('seed', v.seed ?? null);
    b.set('costJpy', v.costJpy ?? null);
    b.set('state', v.state ?? (v.content === undefined ? 'generating' : 'ready'));
    b.set('content', content);
    branches.set(id, b);
    const pruned = prune(doc, phase, new Set([id]));
    return { branch: getBranch(doc, phase, id), created: true, pruned };
  });
}

/** Replace a branch's whole content with a (validated) output and mark it ready. Bound editors keep their binding. */
export function writeBranchContent(doc: Y.Doc, phase: Phase, branchId: string, output: unknown, opts?: WriteOptions & { state?: BranchState }): void {
  assertCurrentSchema(doc);
  const valid = validateOutput(phase, output) as Record<string, unknown>;
  if (phase === 'name') {
    // Refuse duplicate panel ids before anything is written (the conversion would throw half-way).
    try {
      canvasRecordsFromPages(valid.pages, { validated: true });
    } catch (e) {
      throw new DocError('invalid', `name output rejected: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const b = branchMap(doc, phase, branchId);
  const content = contentMap(doc, phase, branchId);
  write(doc, opts, () => {
    replaceContent(phase, content, valid);
    b.set('state', opts?.state ?? 'ready');
  });
}

/**
 * Empty a branch's content (prose fragments and the canvas are emptied in place, other fields
 * removed) and mark it 'generating'. A retried job calls it on the branch it finds from its
 * first attempt before streaming again, so the text is not written twice.
 */
export function resetBranchContent(doc: Y.Doc, phase: Phase, branchId: string, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const b = branchMap(doc, phase, branchId);
  const content = contentMap(doc, phase, branchId);
  write(doc, opts, () => {
    for (const [k, v] of Array.from(content.entries())) {
      if (v instanceof Y.XmlFragment) replaceFragmentText(v, '');
      else if (v instanceof Y.Array && k === CANVAS_KEY) v.delete(0, v.length);
      else content.delete(k);
    }
    b.set('state', 'generating');
  });
}

/** Replace one top-level field of a branch's content (validated against that field's schema). */
export function setBranchField(doc: Y.Doc, phase: Phase, branchId: string, field: string, value: unknown, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const shape = phaseOutputSchemas[phase].shape as Record<string, z.ZodType>;
  const fieldSchema = shape[field];
  if (!fieldSchema) throw new DocError('invalid', `${phase} has no field ${JSON.stringify(field)}`);
  const r = fieldSchema.safeParse(value);
  if (!r.success) throw new DocError('invalid', `${phase}.${field} rejected: ${issues(r.error)}`);
  if (phase === 'name' && field === 'pages') {
    writeCanvasPages(doc, branchId, r.data, opts);
    return;
  }
  const content = contentMap(doc, phase, branchId);
  const existing = content.get(field);
  write(doc, opts, () => {
    if (PROSE_FIELDS[phase].includes(field) && existing instanceof Y.XmlFragment) {
      replaceFragmentText(existing, String(r.data));
      return;
    }
    const entry = contentEntryToY(phase, field, r.data);
    content.set(entry.key, entry.value);
  });
}

function writeCanvasPages(doc: Y.Doc, branchId: string, pages: unknown, opts?: WriteOptions): void {
  const existing = contentMap(doc, 'name', branchId);
  const full = { ...(contentToJson('name', existing) as Record<string, unknown>), pages };
  writeBranchContent(doc, 'name', branchId, full, { ...opts, state: getBranch(doc, 'name', branchId).state });
}

/**
 * Append streamed text to a prose field of a branch (an agent writing as it generates). Only
 * ever inserts at the end, so people editing the same field earlier on are not disturbed.
 */
export function appendBranchProse(doc: Y.Doc, phase: Phase, branchId: string, field: string, chunk: string, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const fragment = proseFragment(doc, phase, branchId, field);
  if (chunk.length === 0) return;
  write(doc, opts, () => appendTextToFragment(fragment, chunk));
}

/** The `.max(n)` of a zod array schema, read from its checks (zod 4 keeps them in def.checks). */
function maxItems(schema: z.ZodArray): number | null {
  for (const c of schema.def.checks ?? []) {
    const def = (c as { _zod?: { def?: { check?: string; maximum?: number } } })._zod?.def;
    if (def?.check === 'max_length' && typeof def.maximum === 'number') return def.maximum;
  }
  return null;
}

/**
 * Append one item to a list field of a branch (an agent streaming characters, beats, lines as
 * it produces them). The item is validated against the list's element schema; the list's own
 * length limit is checked too.
 */
export function appendBranchListItem(doc: Y.Doc, phase: Phase, branchId: string, field: string, item: unknown, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  if (phase === 'name') throw new DocError('invalid', 'name pages are canvas records: use setCanvasRecord or writeBranchContent');
  const fieldSchema = (phaseOutputSchemas[phase].shape as Record<string, z.ZodType>)[field];
  if (!(fieldSchema instanceof z.ZodArray)) throw new DocError('invalid', `${phase}.${field} is not a list`);
  const r = (fieldSchema.element as z.ZodType).safeParse(item);
  if (!r.success) throw new DocError('invalid', `${phase}.${field} item rejected: ${issues(r.error)}`);
  const content = contentMap(doc, phase, branchId);
  const existing = content.get(field);
  const length = existing instanceof Y.Array ? existing.length : 0;
  const max = maxItems(fieldSchema);
  if (max !== null && length >= max) throw new DocError('invalid', `${phase}.${field} is full (${max} items)`);
  write(doc, opts, () => {
    if (existing instanceof Y.Array) existing.push([jsonToY(r.data)]);
    else {
      const arr = new Y.Array<unknown>();
      arr.push([jsonToY(r.data)]);
      content.set(field, arr);
    }
  });
}

/**
 * Insert or update the item of a list field whose `keyField` equals the item's (e.g. the scene
 * image of one panel: `upsertBranchListItem(doc, 'scenes', id, 'panels', 'panelId', scene)`).
 * An existing item is updated field by field in place, so a concurrent edit of another field of
 * it survives; a new one is appended. This is how one panel is regenerated alone.
 */
export function upsertBranchListItem(doc: Y.Doc, phase: Phase, branchId: string, field: string, keyField: string, item: unknown, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const fieldSchema = (phaseOutputSchemas[phase].shape as Record<string, z.ZodType>)[field];
  if (phase === 'name' || !(fieldSchema instanceof z.ZodArray)) throw new DocError('invalid', `${phase}.${field} is not a list`);
  const r = (fieldSchema.element as z.ZodType).safeParse(item);
  if (!r.success) throw new DocError('invalid', `${phase}.${field} item rejected: ${issues(r.error)}`);
  const value = r.data as Record<string, unknown>;
  const key = value?.[keyField];
  if (typeof key !== 'string' && typeof key !== 'number') throw new DocError('invalid', `${phase}.${field} items have no key ${JSON.stringify(keyField)}`);
  const list = contentMap(doc, phase, branchId).get(field);
  const existing = list instanceof Y.Array ? list.toArray().find((x): x is Y.Map<unknown> => x instanceof Y.Map && x.get(keyField) === key) : undefined;
  if (!existing) {
    appendBranchListItem(doc, phase, branchId, field, value, opts);
    return;
  }
  write(doc, opts, () => {
    for (const [k, v] of Object.entries(value)) {
      const next = jsonToY(v, k);
      const cur = existing.get(k);
      // Unchanged scalars are not rewritten: a no-op set would still win over a concurrent edit.
      if (!(next instanceof Y.AbstractType) && !(cur instanceof Y.AbstractType) && JSON.stringify(cur) === JSON.stringify(next)) continue;
      existing.set(k, next);
    }
    for (const k of Array.from(existing.keys())) if (!(k in value)) existing.delete(k);
  });
}

/** The shared rich text of a prose field (what Tiptap's Collaboration extension binds to with `fragment:`). */
export function proseFragment(doc: Y.Doc, phase: Phase, branchId: string, field: string): Y.XmlFragment {
  if (!PROSE_FIELDS[phase].includes(field)) throw new DocError('invalid', `${phase}.${field} is not a prose field`);
  const f = contentMap(doc, phase, branchId).get(field);
  if (!(f instanceof Y.XmlFragment)) throw new DocError('not-found', `branch ${branchId} has no ${field} fragment`);
  return f;
}

/** The raw canvas array of a name branch (Y.Array of {key, val}). */
export function nameCanvasArray(doc: Y.Doc, branchId: string): Y.Array<NameCanvasEntry> {
  const arr = contentMap(doc, 'name', branchId).get(CANVAS_KEY);
  if (!(arr instanceof Y.Array)) throw new DocError('not-found', `name branch ${branchId} has no canvas`);
  return arr as Y.Array<NameCanvasEntry>;
}

/** The YKeyValue over a name branch's canvas (one per array, shared): what the tldraw store binds to. */
export function nameCanvas(doc: Y.Doc, branchId: string): YKeyValue<CanvasRecord> {
  return canvasKeyValue(nameCanvasArray(doc, branchId));
}

const canvasRecordSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('page'), index: z.number().int().nonnegative() }).strict(),
  namePanelSchema.extend({ kind: z.literal('panel'), page: z.string().min(1).max(120) }).strict(),
]);

/**
 * Set one canvas record (a moved/resized panel, a page) as one transaction. Records are
 * validated (a panel record is a NamePanel plus its page key; a panel's key must be
 * `panel:<its id>`), so a buggy binding cannot put a record in that no reader accepts.
 */
export function setCanvasRecord(doc: Y.Doc, branchId: string, key: string, record: CanvasRecord, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const r = canvasRecordSchema.safeParse(record);
  if (!r.success) throw new DocError('invalid', `bad canvas record ${key}: ${issues(r.error)}`);
  if (r.data.kind === 'panel' && key !== panelKey(r.data.id)) throw new DocError('invalid', `a panel record's key must be ${panelKey(r.data.id)}`);
  if (r.data.kind === 'page' && !key.startsWith('page:')) throw new DocError('invalid', 'a page record\'s key must start with page:');
  const kv = nameCanvas(doc, branchId);
  const val = plainCopy(r.data) as CanvasRecord;
  write(doc, opts, () => kv.set(key, val));
}

export function deleteCanvasRecord(doc: Y.Doc, branchId: string, key: string, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const kv = nameCanvas(doc, branchId);
  if (!kv.has(key)) return;
  write(doc, opts, () => kv.delete(key));
}

export function setBranchState(doc: Y.Doc, phase: Phase, branchId: string, state: BranchState, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  if (!(BRANCH_STATES as readonly string[]).includes(state)) throw new DocError('invalid', `unknown branch state ${JSON.stringify(state)}`);
  const b = branchMap(doc, phase, branchId);
  write(doc, opts, () => b.set('state', state));
}

const provenanceSchema = z
  .object({ model: z.string().max(200).nullable().optional(), costJpy: z.number().nonnegative().finite().nullable().optional() })
  .strict();

/** Record what produced a branch once it is known (an agent learns its model and cost at the end). */
export function setBranchProvenance(doc: Y.Doc, phase: Phase, branchId: string, provenance: z.input<typeof provenanceSchema>, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const parsed = provenanceSchema.safeParse(provenance);
  if (!parsed.success) throw new DocError('invalid', `bad provenance: ${issues(parsed.error)}`);
  const b = branchMap(doc, phase, branchId);
  write(doc, opts, () => {
    if (parsed.data.model !== undefined) b.set('model', parsed.data.model);
    if (parsed.data.costJpy !== undefined) b.set('costJpy', parsed.data.costJpy);
  });
}

export function pinBranch(doc: Y.Doc, phase: Phase, branchId: string, pinned = true, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const b = branchMap(doc, phase, branchId);
  if (b.get('pinned') === pinned) return;
  write(doc, opts, () => b.set('pinned', pinned));
}

/** Delete a branch. The active branch and pinned branches are refused. */
export function deleteBranch(doc: Y.Doc, phase: Phase, branchId: string, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const info = getBranch(doc, phase, branchId);
  if (info.active) throw new DocError('conflict', 'the active branch cannot be deleted');
  if (info.pinned) throw new DocError('conflict', 'a pinned branch cannot be deleted (unpin it first)');
  write(doc, opts, () => branchesMap(doc, phase).delete(branchId));
}

export interface ForkInput {
  id?: string;
  origin: { kind: 'human'; id: string; name: string };
  feedback?: string | null;
}

/**
 * A human copy of a branch to edit: the content is deep-copied (rich text keeps its marks),
 * provenance points at the source (parentBranchId) and keeps its basedOn (the content was built
 * from those upstream branches). A branch still being generated cannot be forked yet.
 */
export function forkBranch(doc: Y.Doc, phase: Phase, branchId: string, input: ForkInput, opts?: WriteOptions): CreateBranchResult {
  assertCurrentSchema(doc);
  const src = getBranch(doc, phase, branchId);
  if (src.state === 'generating') throw new DocError('conflict', 'the branch is still being generated; fork it when it is done');
  const srcContent = contentMap(doc, phase, branchId);
  const o = originSchema.safeParse(input.origin);
  if (!o.success || o.data.kind !== 'human') throw new DocError('invalid', 'a fork is made by a person: origin.kind must be human');
  const id = input.id ?? newId();
  const idOk = branchIdSchema.safeParse(id);
  if (!idOk.success) throw new DocError('invalid', `bad branch id: ${issues(idOk.error)}`);
  const branches = branchesMap(doc, phase);
  if (branches.has(id)) return { branch: getBranch(doc, phase, id), created: false, pruned: [] };
  return write(doc, opts, (now) => {
    const b = new Y.Map<unknown>();
    b.set('id', id);
    b.set('origin', plainCopy({ kind: 'human', id: o.data.id, name: o.data.name }));
    b.set('createdAt', now);
    b.set('parentBranchId', branchId);
    b.set('feedback', typeof input.feedback === 'string' ? wellFormed(input.feedback) : null);
    b.set('jobId', null);
    b.set('pinned', false);
    b.set('basedOn', { ...src.basedOn });
    b.set('model', null);
    b.set('seed', null);
    b.set('costJpy', null);
    // A copy of a failed run's partial content is still partial.
    b.set('state', src.state === 'failed' ? 'failed' : 'ready');
    b.set('content', srcContent.clone());
    branches.set(id, b);
    const pruned = prune(doc, phase, new Set([id, branchId]));
    return { branch: getBranch(doc, phase, id), created: true, pruned };
  });
}

export type ReadResult<P extends Phase> = { success: true; data: PhaseOutput<P> } | { success: false; error: string; raw: unknown };

/** A branch's content as its phase output JSON, validated (prose as plain text with paragraphs). */
export function safeReadBranchContent<P extends Phase>(doc: Y.Doc, phase: P, branchId: string): ReadResult<P> {
  const raw = contentToJson(phase, contentMap(doc, phase, branchId));
  const r = phaseOutputSchemas[phase].safeParse(raw);
  if (!r.success) return { success: false, error: `${phase} branch ${branchId}: ${issues(r.error)}`, raw };
  return { success: true, data: r.data as PhaseOutput<P> };
}

/** Like safeReadBranchContent, but throws DocError('invalid') when the content does not validate. */
export function readBranchContent<P extends Phase>(doc: Y.Doc, phase: P, branchId: string): PhaseOutput<P> {
  const r = safeReadBranchContent(doc, phase, branchId);
  if (!r.success) throw new DocError('invalid', r.error);
  return r.data;
}

