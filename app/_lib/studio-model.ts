/**
 * Read-only views of the project doc for the studio, built on lib/doc/model.ts. A doc that is
 * not seeded yet (first sync still running) reads as empty instead of throwing.
 */
import * as Y from 'yjs';
import { PHASES, type Phase } from '../../schema/phases';
import {
  DocError,
  branchesMap,
  metaMap,
  num,
  phasesMap,
  readApproval,
  readBranchInfo,
  readStatus,
  str,
  type Approval,
  type BranchInfo,
  type RunState,
  type StaleReason,
} from '../../lib/doc/model';
import { staleReasons } from '../../lib/doc/phase-state';

export interface PhaseView {
  phase: Phase;
  status: ReturnType<typeof readStatus>;
  statusReason: string | null;
  activeBranchId: string | null;
  run: RunState | null;
  approval: Approval | null;
  staleFrom: StaleReason[];
  branches: BranchInfo[];
}

export interface MetaView {
  title: string;
  language: 'ja' | 'en';
  readingDirection: 'rtl' | 'ltr';
  pageFormat: string;
}

function readRun(v: unknown): RunState | null {
  if (!(v instanceof Y.Map)) return null;
  const jobId = str(v.get('jobId'));
  return {
    jobId,
    progress: num(v.get('progress')),
    message: str(v.get('message')),
    agentName: str(v.get('agentName')),
    branchId: str(v.get('branchId')),
    updatedAt: num(v.get('updatedAt')),
  };
}

/** Why a stale phase is stale (computed from the doc by lib/doc, so it names what changed upstream). */
function staleOf(doc: Y.Doc, phase: Phase): StaleReason[] {
  try {
    return staleReasons(doc, phase);
  } catch (e) {
    if (e instanceof DocError) return [];
    throw e;
  }
}

export function readPhaseView(doc: Y.Doc, phase: Phase): PhaseView {
  const p = phasesMap(doc).get(phase);
  if (!(p instanceof Y.Map)) {
    return { phase, status: 'idle', statusReason: null, activeBranchId: null, run: null, approval: null, staleFrom: [], branches: [] };
  }
  const activeBranchId = str(p.get('activeBranchId'));
  let branches: BranchInfo[] = [];
  try {
    branches = Array.from(branchesMap(doc, phase).entries())
      .filter(([, b]) => b instanceof Y.Map)
      .map(([id, b]) => readBranchInfo(phase, id, b, activeBranchId))
      .sort((a, b) => b.createdAt - a.createdAt);
  } catch (e) {
    if (!(e instanceof DocError)) throw e;
  }
  const status = readStatus(p.get('status'));
  return {
    phase,
    status,
    statusReason: str(p.get('statusReason')),
    activeBranchId,
    run: readRun(p.get('run')),
    approval: readApproval(p.get('approval')),
    staleFrom: status === 'stale' ? staleOf(doc, phase) : [],
    branches,
  };
}

export function readAllPhases(doc: Y.Doc): Record<Phase, PhaseView> {
  const out = {} as Record<Phase, PhaseView>;
  for (const phase of PHASES) out[phase] = readPhaseView(doc, phase);
  return out;
}

export function readMeta(doc: Y.Doc): MetaView {
  const m = metaMap(doc);
  return {
    title: str(m.get('title')) ?? '',
    language: m.get('language') === 'ja' ? 'ja' : 'en',
    readingDirection: m.get('readingDirection') === 'ltr' ? 'ltr' : 'rtl',
    pageFormat: str(m.get('pageFormat')) ?? 'B5',
  };
}

/** The content map of a branch, or null when it does not exist (yet). */
export function branchContent(doc: Y.Doc, phase: Phase, branchId: string | null): Y.Map<unknown> | null {
  if (!branchId) return null;
  const p = phasesMap(doc).get(phase);
  if (!(p instanceof Y.Map)) return null;
  const branches = p.get('branches');
  if (!(branches instanceof Y.Map)) return null;
  const b = branches.get(branchId);
  if (!(b instanceof Y.Map)) return null;
  const c = b.get('content');
  return c instanceof Y.Map ? c : null;
}
