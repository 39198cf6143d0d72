/**
 * Phase lifecycle: status, live run state, adopting a branch, skip, go back, approve, and
 * staleness (which downstream phases were built on something that is no longer chosen).
 *
 * Staleness is *derived* from the doc (a phase's active branch records `basedOn`; compare it to
 * the upstream's active branch now), so it is right after any merge. The `status` 'stale' is
 * a cache of it kept for the phase rail, refreshed by every operation that changes a choice.
 * Only `reopened` reasons are stored (going back changes no branch id, so there is nothing to
 * derive them from); they clear when the phase adopts a branch again or is dismissed.
 */
import type * as Y from 'yjs';
import { PHASES, PHASE_INPUTS, PHASE_STATUSES, type Phase, type PhaseStatus } from '../../schema/phases';
import {
  DocError,
  branchesMap,
  num,
  phaseMap,
  readApproval,
  readBranchInfo,
  readStatus,
  runMap,
  str,
  write,
  type Approval,
  type BasedOn,
  type PhaseState,
  type RunState,
  type StaleReason,
  type WriteOptions,
} from './model';
import { assertCurrentSchema } from './seed';
import { safeReadBranchContent } from './branches';

/** Phases that read `phase` directly or transitively, in pipeline order. */
export function downstreamPhases(phase: Phase): Phase[] {
  const out = new Set<Phase>([phase]);
  for (const p of PHASES) if (PHASE_INPUTS[p].some((i) => out.has(i))) out.add(p);
  out.delete(phase);
  return PHASES.filter((p) => out.has(p));
}

export function getPhaseState(doc: Y.Doc, phase: Phase): PhaseState {
  const p = phaseMap(doc, phase);
  const run = runMap(doc, phase);
  return {
    phase,
    status: readStatus(p.get('status')),
    statusReason: str(p.get('statusReason')),
    activeBranchId: str(p.get('activeBranchId')),
    updatedAt: num(p.get('updatedAt')),
    run: run.size === 0 ? null : readRun(run),
    approval: readApproval(p.get('approval')),
    branchCount: branchesMap(doc, phase).size,
  };
}

function readRun(run: Y.Map<unknown>): RunState {
  return {
    jobId: str(run.get('jobId')),
    progress: num(run.get('progress')),
    message: str(run.get('message')),
    agentName: str(run.get('agentName')),
    branchId: str(run.get('branchId')),
    updatedAt: num(run.get('updatedAt')),
  };
}

/** The branch downstream work builds on: the active branch, unless the phase is skipped. */
export function effectiveActive(doc: Y.Doc, phase: Phase): string | null {
  const p = phaseMap(doc, phase);
  if (p.get('status') === 'skipped') return null;
  const id = str(p.get('activeBranchId'));
  return id !== null && branchesMap(doc, phase).has(id) ? id : null;
}

/** What a new run of `phase` records as its basedOn: the effective active branch of each input. */
export function activeBasedOn(doc: Y.Doc, phase: Phase): BasedOn {
  const out: BasedOn = {};
  for (const input of PHASE_INPUTS[phase]) {
    const id = effectiveActive(doc, input);
    if (id !== null) out[input] = id;
  }
  return out;
}

function storedReopened(doc: Y.Doc, phase: Phase): Phase[] {
  const v = phaseMap(doc, phase).get('staleFrom');
  if (!Array.isArray(v)) return [];
  return PHASES.filter((p) => v.includes(p));
}

function computeStale(doc: Y.Doc, phase: Phase, memo: Map<Phase, StaleReason[]>): StaleReason[] {
  const cached = memo.get(phase);
  if (cached) return cached;
  const reasons: StaleReason[] = [];
  memo.set(phase, reasons); // PHASE_INPUTS is acyclic; this only guards against a corrupt table
  const active = effectiveActive(doc, phase);
  if (active === null) return reasons;
  const branch = readBranchInfo(phase, active, branchesMap(doc, phase).get(active)!, active);
  for (const upstream of storedReopened(doc, phase)) reasons.push({ kind: 'reopened', upstream });
  for (const upstream of PHASE_INPUTS[phase]) {
    const builtOn = branch.basedOn[upstream] ?? null;
    const activeNow = effectiveActive(doc, upstream);
    if (builtOn !== activeNow) reasons.push({ kind: 'changed', upstream, builtOn, activeNow });
    else if (computeStale(doc, upstream, memo).length > 0) reasons.push({ kind: 'upstream-stale', upstream });
  }
  return reasons;
}

/** Why a phase's active branch is out of date ([] when it is current, or has no active branch). */
export function staleReasons(doc: Y.Doc, phase: Phase): StaleReason[] {
  return computeStale(doc, phase, new Map());
}

function describe(reasons: StaleReason[]): string {
  return reasons
    .map((r) =>
      r.kind === 'changed'
        ? `${r.upstream} changed (${r.builtOn ?? 'none'} → ${r.activeNow ?? 'none'})`
        : r.kind === 'reopened'
          ? `${r.upstream} was reopened`
          : `${r.upstream} is stale`,
    )
    .join('; ');
}

/** Statuses owned by a job's lifecycle: the queue moves them on, staleness waits until it does. */
const RUN_STATUSES: readonly PhaseStatus[] = ['queued', 'running'];

/** Refresh the cached 'stale' status of every phase downstream of `changed` (inside a transaction). */
function refreshDownstream(doc: Y.Doc, changed: Phase, now: number): void {
  const memo = new Map<Phase, StaleReason[]>();
  for (const d of downstreamPhases(changed)) {
    const p = phaseMap(doc, d);
    const status = readStatus(p.get('status'));
    if (status === 'skipped' || RUN_STATUSES.includes(status)) continue;
    const reasons = computeStale(doc, d, memo);
    if (reasons.length > 0) {
      const reason = describe(reasons);
      if (status !== 'stale' || p.get('statusReason') !== reason) {
        p.set('status', 'stale');
        p.set('statusReason', reason);
        p.set('updatedAt', now);
      }
    } else if (status === 'stale') {
      // The upstream choice went back to what this phase was built on: it is current again.
      p.set('status', 'review');
      p.set('statusReason', null);
      p.set('updatedAt', now);
    }
  }
}

function assertStatus(status: string): asserts status is PhaseStatus {
  if (!(PHASE_STATUSES as readonly string[]).includes(status)) throw new DocError('invalid', `unknown status ${JSON.stringify(status)}`);
}

/** Set a phase's status (e.g. 'queued', 'running', 'failed' from the job lifecycle). */
export function setPhaseStatus(doc: Y.Doc, phase: Phase, status: PhaseStatus, reason: string | null = null, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  assertStatus(status);
  const p = phaseMap(doc, phase);
  write(doc, opts, (now) => {
    p.set('status', status);
    p.set('statusReason', reason);
    p.set('updatedAt', now);
  });
}

export type RunStatePatch = Partial<Omit<RunState, 'updatedAt'>>;

/** Merge live run state (progress, message …) into the phase's run map; the studio renders it. */
export function setRunState(doc: Y.Doc, phase: Phase, patch: RunStatePatch, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  if (patch.progress !== undefined && patch.progress !== null && !(patch.progress >= 0 && patch.progress <= 1)) {
    throw new DocError('invalid', 'progress must be within 0..1');
  }
  const run = runMap(doc, phase);
  write(doc, opts, (now) => {
    for (const [k, v] of Object.entries(patch)) if (v !== undefined && run.get(k) !== v) run.set(k, v);
    run.set('updatedAt', now);
  });
}

export function clearRunState(doc: Y.Doc, phase: Phase, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const run = runMap(doc, phase);
  if (run.size === 0) return;
  write(doc, opts, () => {
    for (const k of Array.from(run.keys())) run.delete(k);
  });
}

/**
 * Make `branchId` the phase's active branch (refused while it is being generated or when its
 * content does not validate). The phase goes to 'review' (or 'stale' if that
 * branch was built on upstream branches that are no longer active), and every downstream phase
 * whose active branch was built on another branch of this phase (transitively) becomes 'stale'.
 */
export function adoptBranch(doc: Y.Doc, phase: Phase, branchId: string, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const b = branchesMap(doc, phase).get(branchId);
  if (!b) throw new DocError('not-found', `no branch ${JSON.stringify(branchId)} in phase ${phase}`);
  if (b.get('state') === 'generating') throw new DocError('conflict', 'the branch is still being generated');
  // Downstream agents read the active branch as their input: content that does not validate
  // (a half-finished failed run, a person's edit that broke it) cannot become the choice.
  const content = safeReadBranchContent(doc, phase, branchId);
  if (!content.success) throw new DocError('invalid', `cannot adopt: ${content.error}`);
  const p = phaseMap(doc, phase);
  write(doc, opts, (now) => {
    p.set('activeBranchId', branchId);
    p.set('staleFrom', []);
    p.set('approval', null);
    p.set('status', 'review');
    p.set('statusReason', null);
    p.set('updatedAt', now);
    const own = staleReasons(doc, phase);
    if (own.length > 0) {
      p.set('status', 'stale');
      p.set('statusReason', describe(own));
    }
    refreshDownstream(doc, phase, now);
  });
}

/** Skip a phase: downstream phases build on nothing from it (those built on it become stale). */
export function skipPhase(doc: Y.Doc, phase: Phase, reason: string | null = null, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const p = phaseMap(doc, phase);
  write(doc, opts, (now) => {
    p.set('status', 'skipped');
    p.set('statusReason', reason);
    p.set('approval', null);
    p.set('updatedAt', now);
    refreshDownstream(doc, phase, now);
  });
}

/**
 * Go back to a phase: it returns to 'review' (or 'idle' with no active branch), its approval is
 * withdrawn, and every downstream phase with an active branch becomes 'stale'. Nothing is deleted.
 */
export function reopenPhase(doc: Y.Doc, phase: Phase, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const p = phaseMap(doc, phase);
  write(doc, opts, (now) => {
    const wasSkipped = p.get('status') === 'skipped';
    p.set('approval', null);
    p.set('status', 'review'); // provisional, so effectiveActive sees an un-skipped phase
    const active = effectiveActive(doc, phase);
    const own = active === null ? [] : staleReasons(doc, phase);
    p.set('status', active === null ? 'idle' : own.length > 0 ? 'stale' : 'review');
    p.set('statusReason', own.length > 0 ? describe(own) : wasSkipped ? 'un-skipped' : null);
    p.set('updatedAt', now);
    for (const d of downstreamPhases(phase)) {
      const dm = phaseMap(doc, d);
      if (effectiveActive(doc, d) === null) continue;
      const from = storedReopened(doc, d);
      if (!from.includes(phase)) dm.set('staleFrom', [...from, phase]);
    }
    refreshDownstream(doc, phase, now);
  });
}

/** "Keep it as it is": clear the stored reopened-reasons of a stale phase; it goes back to 'review' if nothing else is out of date. */
export function dismissStale(doc: Y.Doc, phase: Phase, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  const p = phaseMap(doc, phase);
  write(doc, opts, (now) => {
    p.set('staleFrom', []);
    const reasons = staleReasons(doc, phase);
    if (p.get('status') === 'stale' && reasons.length === 0) {
      p.set('status', 'review');
      p.set('statusReason', null);
    } else if (reasons.length > 0) {
      p.set('statusReason', describe(reasons));
    }
    p.set('updatedAt', now);
  });
}

/**
 * Mark the phase approved on its active branch. Refused when there is no active branch, when
 * `branchId` is given and is not the active one (the approver looked at something else), or
 * when the phase is stale or running. Reviewers' own approval records live in the review doc.
 */
export function approvePhase(doc: Y.Doc, phase: Phase, input: { by: { id: string; name: string }; branchId?: string }, opts?: WriteOptions): Approval {
  assertCurrentSchema(doc);
  const p = phaseMap(doc, phase);
  const active = effectiveActive(doc, phase);
  const status = readStatus(p.get('status'));
  if (active === null) throw new DocError('conflict', `phase ${phase} has no active branch to approve`);
  if (input.branchId !== undefined && input.branchId !== active) throw new DocError('conflict', `branch ${input.branchId} is not the active branch of ${phase}`);
  if (status === 'stale' || staleReasons(doc, phase).length > 0) throw new DocError('conflict', `phase ${phase} is stale`);
  if (RUN_STATUSES.includes(status)) throw new DocError('conflict', `phase ${phase} is ${status}`);
  return write(doc, opts, (now) => {
    const approval: Approval = { by: { id: input.by.id, name: input.by.name }, branchId: active, at: now };
    p.set('approval', approval);
    p.set('status', 'approved');
    p.set('statusReason', null);
    p.set('updatedAt', now);
    return approval;
  });
}

/** Recompute every phase's cached stale status (e.g. after the server merged old offline edits). */
export function refreshStaleness(doc: Y.Doc, opts?: WriteOptions): void {
  assertCurrentSchema(doc);
  write(doc, opts, (now) => refreshDownstream(doc, PHASES[0], now));
}

