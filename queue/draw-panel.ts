/**
 * One panel of a phase-5 run (a child job of the run's BullMQ flow): draw it, store the
 * picture, and show progress in the document. The run's own job collects the children's
 * results into the branch once they are all done (queue/run-phase.ts).
 */
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { regenerateScenePanel, type AgentProvider } from '../agents';
import { generationRecorder } from '../agents/generations';
import { signCollabToken } from '../lib/auth/tokens';
import { getAsset, putAsset } from '../lib/assets/store';
import type { Db } from '../lib/db/client';
import { clearRunState, effectiveActive, getPhaseState, getProjectMeta, getSourceText, readBranchContent, setPhaseStatus, setRunState, workDocName } from '../lib/doc/project-doc';
import { openRemoteDoc } from '../lib/doc/remote';
import type { ScenesOutput } from '../schema/phases';
import { panelsDoneKey, type PanelJob } from './jobs';
import { AGENT_COLORS, RunCancelled, agentName } from './run-phase';

export interface DrawPanelDeps {
  sql: Db;
  redis: Redis;
  secret: string;
  collabUrl: string;
  provider: AgentProvider;
  log: Logger;
  signal: AbortSignal;
}

export interface DrawnPanel {
  scene: ScenesOutput['panels'][number];
  costJpy: number;
}

export async function drawPanel(job: PanelJob, deps: DrawPanelDeps, finalAttempt: boolean): Promise<DrawnPanel> {
  const name = agentName('scenes');
  const token = await signCollabToken({ sub: `agent:${job.parentJobId}`, projectId: job.projectId, role: 'agent', name, jobId: job.parentJobId }, deps.secret);
  const remote = openRemoteDoc({ url: deps.collabUrl, token, docName: workDocName(job.projectId), user: { name, color: AGENT_COLORS.scenes, kind: 'agent', phase: 'scenes' } });
  const origin = { origin: `agent:${job.parentJobId}` };
  try {
    await remote.synced;
    const doc = remote.doc;
    if (deps.signal.aborted) throw new RunCancelled();
    const meta = getProjectMeta(doc);
    const active = <P extends 'characters' | 'name' | 'concept'>(p: P) => {
      const id = effectiveActive(doc, p);
      return id ? readBranchContent(doc, p, id) : undefined;
    };
    if (getPhaseState(doc, 'scenes').status !== 'running') setPhaseStatus(doc, 'scenes', 'running', null, origin);
    const generations = generationRecorder(deps.sql, { projectId: job.projectId, phase: 'scenes', jobId: job.parentJobId }, (err: unknown) => deps.log.error({ err }, 'could not record a generation'));
    const drawn = await regenerateScenePanel(
      {
        phase: 'scenes',
        sourceText: getSourceText(doc),
        language: meta.language,
        readingDirection: meta.readingDirection,
        pageFormat: meta.pageFormat,
        upstream: { characters: active('characters'), name: active('name'), concept: active('concept') },
        feedback: job.feedback ?? undefined,
        seed: job.seed,
      },
      job.panelId,
      {
        provider: deps.provider,
        signal: deps.signal,
        onProgress: () => {},
        recordGeneration: generations.record,
        loadAsset: async (id) => {
          const asset = await getAsset(deps.sql, id);
          return asset ? { bytes: asset.bytes, mime: asset.mime } : null;
        },
        projectId: job.projectId,
        jobId: job.parentJobId,
      },
    );
    await putAsset(deps.sql, job.projectId, { bytes: drawn.asset.bytes, mime: drawn.asset.mime, width: drawn.asset.width, height: drawn.asset.height }, drawn.asset.id);
    await generations.flush();
    const done = await deps.redis.incr(panelsDoneKey(job.parentJobId));
    await deps.redis.expire(panelsDoneKey(job.parentJobId), 24 * 3600);
    const fraction = Math.min(0.95, done / job.total);
    setRunState(doc, 'scenes', { jobId: job.parentJobId, progress: fraction, message: `Drew panel ${Math.min(done, job.total)} of ${job.total}`, agentName: name }, origin);
    remote.setPresence({ progress: fraction, message: `Drew panel ${Math.min(done, job.total)} of ${job.total}` });
    await remote.flush();
    return { scene: drawn.scene, costJpy: drawn.costJpy };
  } catch (error) {
    const cancelled = error instanceof RunCancelled || deps.signal.aborted;
    // The run's own job never runs when a child fails for good: this child puts the phase back.
    if (cancelled || finalAttempt) {
      try {
        const doc = remote.doc;
        const state = getPhaseState(doc, 'scenes');
        if (state.run?.jobId === job.parentJobId || state.status === 'running') {
          const reason = cancelled ? 'Last run was cancelled' : `Last run failed: panel ${job.panelId}: ${error instanceof Error ? error.message : String(error)}`;
          // As it was before the run: in review if it has branches to review, else idle (or failed).
          const hasBranches = state.activeBranchId !== null || state.branchCount > 0;
          setPhaseStatus(doc, 'scenes', hasBranches ? 'review' : cancelled ? 'idle' : 'failed', reason, origin);
          clearRunState(doc, 'scenes', origin);
          await remote.flush();
        }
      } catch (cleanupError) {
        deps.log.error({ err: cleanupError }, 'could not restore the scenes phase');
      }
    }
    throw error;
  } finally {
    remote.close();
  }
}
