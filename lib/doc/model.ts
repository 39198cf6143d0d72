/**
 * The shape of a project document and typed access to it. Everything here is plain functions
 * over a Y.Doc, so the studio (browser), the web API and the workers share one implementation.
 *
 *   meta    Y.Map    schemaVersion, projectId, title, language, readingDirection, pageFormat
 *   source  Y.Text   the story as pasted
 *   phases  Y.Map    phase → Y.Map { status, statusReason, activeBranchId, updatedAt, approval,
 *                                     staleFrom, run: Y.Map, branches: Y.Map id → branch Y.Map }
 *
 * Every nested Y type is created exactly once, by the seed (on the server) or at branch
 * creation. Nothing creates a nested type lazily on read: two clients doing that at the same
 * moment would each set their own Y.Map under the same key, and one of them (with everything
 * written into it) would be dropped by the merge. See docs/DOC-SCHEMA.md.
 */
import * as Y from 'yjs';
import { PHASES, PHASE_STATUSES, type Phase, type PhaseStatus } from '../../schema/phases';
import type { Language, PageFormatName, ReadingDirection } from '../engine/types';

export const MAX_BRANCHES_PER_PHASE = 10;
/** Default transaction origin of writes made through this module (observers may filter on it). */
export const DOC_ORIGIN = 'koma:doc';

export type DocErrorCode = 'not-seeded' | 'schema-mismatch' | 'not-found' | 'invalid' | 'conflict';

/** A refused operation. Nothing was written. `code` maps to an HTTP status in the API. */
export class DocError extends Error {
  constructor(
    readonly code: DocErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DocError';
  }
}

export interface WriteOptions {
  /** Transaction origin (default DOC_ORIGIN). */
  origin?: unknown;
  /** Clock for timestamps, ms since epoch (tests pin it). */
  now?: number;
}

export interface ProjectMeta {
  schemaVersion: number;
  projectId: string;
  title: string;
  language: Language;
  readingDirection: ReadingDirection;
  pageFormat: PageFormatName;
}

export type BranchOriginKind = 'human' | 'agent';
export interface BranchOrigin {
  kind: BranchOriginKind;
  /** User id, or the agent's identity (e.g. `agent:<jobId>`). */
  id: string;
  /** Display name ("Hinata", "Plot agent"). */
  name: string;
}
/** Which branch of each upstream phase a branch was built from. */
export type BasedOn = Partial<Record<Phase, string>>;
/** generating: an agent is still writing it; ready: complete; failed: the run died (content partial). */
export const BRANCH_STATES = ['generating', 'ready', 'failed'] as const;
export type BranchState = (typeof BRANCH_STATES)[number];

export interface BranchInfo {
  id: string;
  phase: Phase;
  origin: BranchOrigin;
  createdAt: number;
  parentBranchId: string | null;
  feedback: string | null;
  jobId: string | null;
  pinned: boolean;
  basedOn: BasedOn;
  model: string | null;
  seed: number | null;
  costJpy: number | null;
  state: BranchState;
  /** Whether it is the phase's active branch. */
  active: boolean;
}

export interface RunState {
  jobId: string | null;
  /** 0..1 */
  progress: number | null;
  message: string | null;
  agentName: string | null;
  /** The branch the run writes into, once created. */
  branchId: string | null;
  updatedAt: number | null;
}

export interface Approval {
  by: { id: string; name: string };
  branchId: string;
  at: number;
}

export type StaleReason =
  /** The upstream's active branch is not the one this phase's active branch was built on. */
  | { kind: 'changed'; upstream: Phase; builtOn: string | null; activeNow: string | null }
  /** The upstream is itself stale (its own upstream changed). */
  | { kind: 'upstream-stale'; upstream: Phase }
  /** Someone went back to the upstream phase (reopenPhase). */
  | { kind: 'reopened'; upstream: Phase };

export interface PhaseState {
  phase: Phase;
  status: PhaseStatus;
  statusReason: string | null;
  activeBranchId: string | null;
  updatedAt: number | null;
  run: RunState | null;
  approval: Approval | null;
  branchCount: number;
}

// ——— raw accessors ———

export const META = 'meta';
export const SOURCE = 'source';
export const PHASES_KEY = 'phases';

export const metaMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap<unknown>(META);
export const sourceText = (doc: Y.Doc): Y.Text => doc.getText(SOURCE);
export const phasesMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap<unknown>(PHASES_KEY);

export function assertPhase(phase: string): asserts phase is Phase {
  if (!(PHASES as readonly string[]).includes(phase)) throw new DocError('invalid', `unknown phase ${JSON.stringify(phase)}`);
}

export function phaseMap(doc: Y.Doc, phase: Phase): Y.Map<unknown> {
  assertPhase(phase);
  const p = phasesMap(doc).get(phase);
  if (!(p instanceof Y.Map)) throw new DocError('not-seeded', `the document has no phase ${phase} (not seeded?)`);
  return p;
}

export function branchesMap(doc: Y.Doc, phase: Phase): Y.Map<Y.Map<unknown>> {
  const b = phaseMap(doc, phase).get('branches');
  if (!(b instanceof Y.Map)) throw new DocError('not-seeded', `phase ${phase} has no branches map`);
  return b as Y.Map<Y.Map<unknown>>;
}

export function runMap(doc: Y.Doc, phase: Phase): Y.Map<unknown> {
  const r = phaseMap(doc, phase).get('run');
  if (!(r instanceof Y.Map)) throw new DocError('not-seeded', `phase ${phase} has no run map`);
  return r;
}

export function branchMap(doc: Y.Doc, phase: Phase, branchId: string): Y.Map<unknown> {
  const b = branchesMap(doc, phase).get(branchId);
  if (!(b instanceof Y.Map)) throw new DocError('not-found', `no branch ${JSON.stringify(branchId)} in phase ${phase}`);
  return b;
}

export function contentMap(doc: Y.Doc, phase: Phase, branchId: string): Y.Map<unknown> {
  const c = branchMap(doc, phase, branchId).get('content');
  if (!(c instanceof Y.Map)) throw new DocError('not-found', `branch ${branchId} of ${phase} has no content`);
  return c;
}

// ——— typed reads of plain values (the doc may hold anything a buggy or hostile client wrote) ———

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function readStatus(v: unknown): PhaseStatus {
  return (PHASE_STATUSES as readonly unknown[]).includes(v) ? (v as PhaseStatus) : 'idle';
}

export function readOrigin(v: unknown): BranchOrigin {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const kind = o.kind === 'agent' ? 'agent' : 'human';
    return { kind, id: str(o.id) ?? '', name: str(o.name) ?? '' };
  }
  return { kind: 'human', id: '', name: '' };
}

export function readBasedOn(v: unknown): BasedOn {
  const out: BasedOn = {};
  if (v && typeof v === 'object') {
    for (const phase of PHASES) {
      const id = (v as Record<string, unknown>)[phase];
      if (typeof id === 'string') out[phase] = id;
    }
  }
  return out;
}

export function readBranchInfo(phase: Phase, id: string, b: Y.Map<unknown>, activeId: string | null): BranchInfo {
  const state = b.get('state');
  return {
    id,
    phase,
    origin: readOrigin(b.get('origin')),
    createdAt: num(b.get('createdAt')) ?? 0,
    parentBranchId: str(b.get('parentBranchId')),
    feedback: str(b.get('feedback')),
    jobId: str(b.get('jobId')),
    pinned: b.get('pinned') === true,
    basedOn: readBasedOn(b.get('basedOn')),
    model: str(b.get('model')),
    seed: num(b.get('seed')),
    costJpy: num(b.get('costJpy')),
    state: (BRANCH_STATES as readonly unknown[]).includes(state) ? (state as BranchState) : 'ready',
    active: id === activeId,
  };
}

export function readApproval(v: unknown): Approval | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const by = (o.by ?? {}) as Record<string, unknown>;
  const branchId = str(o.branchId);
  const at = num(o.at);
  if (branchId === null || at === null) return null;
  return { by: { id: str(by.id) ?? '', name: str(by.name) ?? '' }, branchId, at };
}

/** Run `fn` in one transaction with the caller's origin. */
export function write<T>(doc: Y.Doc, opts: WriteOptions | undefined, fn: (now: number) => T): T {
  const now = opts?.now ?? Date.now();
  let out!: T;
  doc.transact(() => {
    out = fn(now);
  }, opts?.origin ?? DOC_ORIGIN);
  return out;
}

export function newId(): string {
  return globalThis.crypto.randomUUID();
}
