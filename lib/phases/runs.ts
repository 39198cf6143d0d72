/**
 * Starting, reading and cancelling phase runs for the HTTP API. The job id fixes the branch id,
 * so the client learns where the result will appear before the worker has even started.
 */
import type { z } from 'zod';
import { phaseQueue, enqueuePhaseRun, getJobView, cancelJob, type JobView } from '../../queue/enqueue';
import type { Db } from '../db/client';
import type { AuthUser } from '../http/auth';
import { badRequest, notFound } from '../http/errors';
import { redis } from '../redis/client';
import { CAN, requireProjectRole } from '../projects/access';
import { clearRunState, getPhaseState, setPhaseStatus } from '../doc/project-doc';
import type { Phase } from '../../schema/phases';
import type { pipelineBody, runBody } from './schemas';
import { firstUnsettledPhase, withProjectDoc } from './service';
import { activeNamePanelIds } from '../../queue/run-phase';

export async function startRun(sql: Db, user: AuthUser, projectId: string, phase: Phase, body: z.infer<typeof runBody>) {
  await requireProjectRole(sql, projectId, user.id, CAN.edit);
  if (body.panelId && phase !== 'scenes') throw badRequest('panel_not_allowed', 'panelId (regenerate one panel) is only for the scenes phase');
  // 'queued' is written before the job exists: written after, it could land on top of the
  // worker's 'running' if the worker is quick.
  const panelIds = await markQueued(projectId, user, phase);
  return enqueuePhaseRun(phaseQueue(), {
    panelIds: body.panelId ? undefined : panelIds,
    projectId,
    phase,
    feedback: body.feedback ?? null,
    fromBranchId: body.fromBranchId ?? null,
    seed: body.seed,
    panelId: body.panelId ?? null,
    requestedBy: { id: user.id, name: user.name },
  });
}

/** Mark the phase queued and, for phase 5, learn the panels the run's flow will draw. */
async function markQueued(projectId: string, user: AuthUser, phase: Phase): Promise<string[]> {
  return withProjectDoc(projectId, user, (doc) => {
    // Only an idle-ish phase shows 'queued'; a phase someone is reviewing keeps its status
    // until the worker starts (then 'running').
    const status = getPhaseState(doc, phase).status;
    if (status === 'idle' || status === 'failed' || status === 'stale') setPhaseStatus(doc, phase, 'queued', null, { origin: `user:${user.id}` });
    return phase === 'scenes' ? activeNamePanelIds(doc) : [];
  });
}

export async function startPipeline(sql: Db, user: AuthUser, projectId: string, body: z.infer<typeof pipelineBody>) {
  await requireProjectRole(sql, projectId, user.id, CAN.edit);
  const from = body.fromPhase ?? (await withProjectDoc(projectId, user, (doc) => firstUnsettledPhase(doc)));
  if (!from) return { jobId: null, branchId: null, fromPhase: null };
  const panelIds = await markQueued(projectId, user, from);
  const queued = await enqueuePhaseRun(phaseQueue(), {
    panelIds,
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
  if (!view) throw notFound('job not found');
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
