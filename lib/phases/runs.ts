/**
 * Starting, reading and cancelling phase runs for the HTTP API. The job id fixes the branch id,
 * so the client learns where the result will appear before the worker has even started.
 */
import type { z } from 'zod';
import { phaseQueue, enqueuePhaseRun, getJobView, cancelJob, type EnqueueRunInput, type JobView } from '../../queue/enqueue';
import { isRedisUnavailable } from '../redis/unavailable';
import { withDeadline } from '../deadline';
import type { Db } from '../db/client';
import type { AuthUser } from '../http/auth';
import { badRequest, notFound, unavailable } from '../http/errors';
import { redis } from '../redis/client';
import { CAN, requireProjectRole } from '../projects/access';
import { clearRunState, getPhaseState, setPhaseStatus, type PhaseState } from '../doc/project-doc';
import type { Phase } from '../../schema/phases';
import type { pipelineBody, runBody } from './schemas';
import { firstUnsettledPhase, withProjectDoc } from './service';
import { activeNamePanelIds } from '../../queue/run-phase';

export async function startRun(sql: Db, user: AuthUser, projectId: string, phase: Phase, body: z.infer<typeof runBody>) {
  await requireProjectRole(sql, projectId, user.id, CAN.edit);
  if (body.panelId && phase !== 'scenes') throw badRequest('panel_not_allowed', 'panelId (regenerate one panel) is only for the scenes phase');
  // 'queued' is written before the job exists: written after, it could land on top of the
  // worker's 'running' if the worker is quick.
  const marked = await markQueued(projectId, user, phase);
  return enqueueOrUnmark(projectId, user, phase, marked, {
    panelIds: body.panelId ? undefined : marked.panelIds,
    projectId,
    phase,
    feedback: body.feedback ?? null,
    fromBranchId: body.fromBranchId ?? null,
    seed: body.seed,
    panelId: body.panelId ?? null,
    requestedBy: { id: user.id, name: user.name },
  });
}

interface Marked {
  panelIds: string[];
  /** The status and reason before this request set 'queued' (null: it left the status alone). */
  before: { status: PhaseState['status']; reason: string | null } | null;
}

/**
 * Enqueue the run; when Redis cannot be reached, put back the status `markQueued` replaced and
 * answer 503. Without this a phase stays 'queued' with no job behind it, and every action on it
 * (run, skip, reopen) waits for a run that will never start.
 */
async function enqueueOrUnmark(projectId: string, user: AuthUser, phase: Phase, marked: Marked, input: EnqueueRunInput) {
  try {
    // A queue first used while Redis is down waits for its connection: bound that wait too.
    return await withDeadline(enqueuePhaseRun(phaseQueue(), input), ENQUEUE_DEADLINE_MS, () => new EnqueueTimeout());
  } catch (error) {
    const late = error instanceof EnqueueTimeout;
    if (!late && !isRedisUnavailable(error)) throw error;
    if (marked.before) {
      const before = marked.before;
      await withProjectDoc(projectId, user, (doc) => {
        if (getPhaseState(doc, phase).status === 'queued') setPhaseStatus(doc, phase, before.status, before.reason, { origin: `user:${user.id}` });
      });
    }
    throw unavailable(
      late
        ? 'the job queue did not answer in time; the run may still start, so reload before trying again'
        : 'the job queue is unavailable; nothing was started, try again shortly',
    );
  }
}

const ENQUEUE_DEADLINE_MS = 10_000;
class EnqueueTimeout extends Error {}

/** Mark the phase queued and, for phase 5, learn the panels the run's flow will draw. */
async function markQueued(projectId: string, user: AuthUser, phase: Phase): Promise<Marked> {
  return withProjectDoc(projectId, user, (doc) => {
    // Only an idle-ish phase shows 'queued'; a phase someone is reviewing keeps its status
    // until the worker starts (then 'running').
    const state = getPhaseState(doc, phase);
    let before: Marked['before'] = null;
    if (state.status === 'idle' || state.status === 'failed' || state.status === 'stale') {
      before = { status: state.status, reason: state.statusReason };
      setPhaseStatus(doc, phase, 'queued', null, { origin: `user:${user.id}` });
    }
    return { panelIds: phase === 'scenes' ? activeNamePanelIds(doc) : [], before };
  });
}

export async function startPipeline(sql: Db, user: AuthUser, projectId: string, body: z.infer<typeof pipelineBody>) {
  await requireProjectRole(sql, projectId, user.id, CAN.edit);
  const from = body.fromPhase ?? (await withProjectDoc(projectId, user, (doc) => firstUnsettledPhase(doc)));
  if (!from) return { jobId: null, branchId: null, fromPhase: null };
  const marked = await markQueued(projectId, user, from);
  const queued = await enqueueOrUnmark(projectId, user, from, marked, {
    panelIds: marked.panelIds,
    projectId,
    phase: from,
    seed: body.seed,
    pipeline: true,
    requestedBy: { id: user.id, name: user.name },
  });
  return { ...queued, fromPhase: from };
}

async function visibleJob(sql: Db, user: AuthUser, jobId: string, roles: readonly ('owner' | 'editor' | 'reviewer' | 'viewer')[]): Promise<JobView> {
  const view = await getJobView(phaseQueue(), jobId, redis());
  if (!view) throw notFound('job not found (a finished run is kept 5 minutes; its branch in the phase keeps the outcome)');
  await requireProjectRole(sql, view.projectId, user.id, roles);
  return view;
}

export async function readJob(sql: Db, user: AuthUser, jobId: string): Promise<JobView> {
  return visibleJob(sql, user, jobId, CAN.read);
}

export async function cancelRun(sql: Db, user: AuthUser, jobId: string) {
  const view = await visibleJob(sql, user, jobId, CAN.edit);
  const outcome = await cancelJob(phaseQueue(), redis(), jobId);
  if (outcome === 'removed') {
    // Never started: the worker will not put the phase back, so do it here.
    await withProjectDoc(view.projectId, user, (doc) => {
      const state = getPhaseState(doc, view.phase);
      if (state.status === 'queued' || (state.status === 'running' && state.run?.jobId === jobId)) {
        clearRunState(doc, view.phase, { origin: `user:${user.id}` });
        const hasBranches = state.activeBranchId !== null || state.branchCount > 0;
        setPhaseStatus(doc, view.phase, hasBranches ? 'review' : 'idle', 'Last run was cancelled', { origin: `user:${user.id}` });
      }
    });
  }
  return { jobId, outcome };
}
