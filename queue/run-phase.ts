/**
 * One phase run, as a worker executes it: connect to the project as an agent collaborator,
 * build the input from the active upstream branches, stream the agent's work into a new
 * branch, store its images, write the validated output with its provenance, and wait for the
 * collab-server's acknowledgement (durable) before the job counts as done.
 *
 * Exactly one branch per job: the branch id comes from the job id, so a retry (or a job picked
 * up again after its worker was killed) finds the branch it already created and rewrites it.
 * A failed or cancelled run deletes its half-written branch and puts the phase back as it was.
 */
import type { Logger } from 'pino';
import type * as Y from 'yjs';
import { signCollabToken } from '../lib/auth/tokens';
import { getAsset, putAsset } from '../lib/assets/store';
import type { Db } from '../lib/db/client';
import {
  activeBasedOn,
  adoptBranch,
  clearRunState,
  createBranch,
  deleteBranch,
  effectiveActive,
  getPhaseState,
  getProjectMeta,
  getSourceText,
  appendBranchProse,
  readBranchContent,
  setBranchProvenance,
  resetBranchContent,
  setPhaseStatus,
  setRunState,
  workDocName,
  writeBranchContent,
} from '../lib/doc/project-doc';
import { openRemoteDoc, type RemoteDoc } from '../lib/doc/remote';
import { PHASE_INPUTS, PHASES, type Phase } from '../schema/phases';
import { AgentError, regenerateScenePanel, runPhaseAgent, type AgentProvider, type PhaseAgentContext, type PhaseAgentInput, type PhaseAgentResult } from '../agents';
import { generationRecorder } from '../agents/generations';
import type { PhaseRunJob } from './jobs';
import type { DrawnPanel } from './draw-panel';

export const AGENT_COLORS: Record<Phase, string> = {
  concept: '#f59e0b',
  characters: '#ec4899',
  plot: '#8b5cf6',
  name: '#22d3ee',
  scenes: '#10b981',
  dialogue: '#f97316',
  final: '#60a5fa',
};

export function agentName(phase: Phase): string {
  return `${phase[0].toUpperCase()}${phase.slice(1)} agent`;
}

export class RunCancelled extends Error {
  constructor(reason = 'cancelled') {
    super(reason);
    this.name = 'RunCancelled';
  }
}

export interface RunPhaseDeps {
  sql: Db;
  secret: string;
  collabUrl: string;
  provider: AgentProvider;
  log: Logger;
  signal: AbortSignal;
  /** Called with 0..1 as the run progresses (BullMQ job progress). */
  reportProgress?: (fraction: number) => void;
  /** Fast path: enqueue the next phase once this one is adopted (panelIds: the adopted name's panels). */
  enqueueNext?: (next: Phase, job: PhaseRunJob, panelIds: string[]) => Promise<void>;
  /** Phase 5 as a flow: the pictures its child jobs drew, one per panel. */
  drawnPanels?: DrawnPanel[];
}

/** The panels of the active name, in reading order: what a phase-5 flow draws. */
export function activeNamePanelIds(doc: Y.Doc): string[] {
  const id = effectiveActive(doc, 'name');
  if (!id) return [];
  return readBranchContent(doc, 'name', id).pages.flatMap((p) => [...p.panels].sort((a, b) => a.order - b.order).map((panel) => panel.id));
}

export interface RunPhaseResult {
  branchId: string;
  costJpy: number;
  model: string;
}

function upstreamOutputs(doc: Y.Doc, phase: Phase): PhaseAgentInput['upstream'] {
  const upstream: PhaseAgentInput['upstream'] = {};
  for (const up of PHASE_INPUTS[phase]) {
    const active = effectiveActive(doc, up);
    if (!active) continue;
    (upstream as Record<string, unknown>)[up] = readBranchContent(doc, up, active);
  }
  return upstream;
}

export async function runPhase(jobId: string, job: PhaseRunJob, deps: RunPhaseDeps): Promise<RunPhaseResult> {
  const { phase, projectId, branchId } = job;
  const name = agentName(phase);
  const token = await signCollabToken({ sub: `agent:${jobId}`, projectId, role: 'agent', name, jobId }, deps.secret);
  const remote: RemoteDoc = openRemoteDoc({
    url: deps.collabUrl,
    token,
    docName: workDocName(projectId),
    user: { name, color: AGENT_COLORS[phase], kind: 'agent', phase },
  });
  try {
    await remote.synced;
  } catch (error) {
    remote.close();
    throw error;
  }
  const origin = { origin: `agent:${jobId}` };
  let branchCreatedHere = false;
  const doc = remote.doc;
  const before = getPhaseState(doc, phase);
  // A job picked up again after a crash finds the phase 'running' by itself: restore to what
  // the phase would be without this run.
  const restoreStatus = before.status === 'running' || before.status === 'queued' ? (before.activeBranchId ? 'review' : 'idle') : before.status;

  const progress = (fraction: number, message: string) => {
    const clamped = Math.max(0, Math.min(1, fraction));
    setRunState(doc, phase, { jobId, progress: clamped, message, agentName: name, branchId }, origin);
    remote.setPresence({ name, color: AGENT_COLORS[phase], kind: 'agent', phase, progress: clamped, message, branchId });
    deps.reportProgress?.(clamped);
  };

  try {
    if (deps.signal.aborted) throw new RunCancelled();
    const meta = getProjectMeta(doc);
    const upstream = upstreamOutputs(doc, phase);
    // Regenerating one panel starts from the branch being revised, else the active one.
    const baseBranchId = job.fromBranchId ?? (job.panelId ? getPhaseState(doc, phase).activeBranchId : null);
    const revising = baseBranchId ? readBranchContent(doc, phase, baseBranchId) : undefined;
    const created = createBranch(
      doc,
      phase,
      {
        id: branchId,
        origin: { kind: 'agent', id: `agent:${phase}`, name },
        parentBranchId: baseBranchId,
        feedback: job.feedback,
        jobId,
        basedOn: activeBasedOn(doc, phase),
        seed: job.seed,
      },
      origin,
    );
    branchCreatedHere = created.created;
    // A retry (or a job picked up after its worker died) finds its branch half-written: start it
    // over so streamed text is not written twice.
    if (!created.created) resetBranchContent(doc, phase, branchId, origin);
    setPhaseStatus(doc, phase, 'running', null, origin);
    progress(0.02, 'Reading the story');

    // Every AI call is written as it happens: a crash mid-run still leaves its cost on record.
    const generations = generationRecorder(deps.sql, { projectId, phase, jobId }, (err: unknown) => deps.log.error({ err, jobId }, 'could not record a generation'));
    const input: PhaseAgentInput = {
      phase,
      sourceText: getSourceText(doc),
      language: meta.language,
      readingDirection: meta.readingDirection,
      pageFormat: meta.pageFormat,
      upstream,
      feedback: job.feedback ?? undefined,
      revising,
      seed: job.seed,
    };
    const ctx: PhaseAgentContext = {
      provider: deps.provider,
      signal: deps.signal,
      onProgress: (fraction, message) => progress(0.05 + fraction * 0.85, message),
      onText: (field, delta) => appendBranchProse(doc, phase, branchId, field, delta, origin),
      recordGeneration: generations.record,
      loadAsset: async (id) => {
        const asset = await getAsset(deps.sql, id);
        return asset ? { bytes: asset.bytes, mime: asset.mime } : null;
      },
      projectId,
      jobId,
    };
    const result = job.panelId
      ? await redrawOnePanel(doc, job, input, ctx, baseBranchId)
      : phase === 'scenes' && deps.drawnPanels?.length
        ? collectDrawnPanels(doc, deps.drawnPanels)
        : await runPhaseAgent(phase, input, ctx);
    if (deps.signal.aborted) throw new RunCancelled();

    progress(0.92, 'Saving images');
    for (const asset of result.assets ?? []) {
      await putAsset(deps.sql, projectId, { bytes: asset.bytes, mime: asset.mime, width: asset.width, height: asset.height }, asset.id);
    }
    await generations.flush();

    writeBranchContent(doc, phase, branchId, result.output, { ...origin, state: 'ready' });
    setBranchProvenance(doc, phase, branchId, { model: result.model, costJpy: result.costJpy }, origin);
    setPhaseStatus(doc, phase, 'review', null, origin);
    if (job.pipeline) adoptBranch(doc, phase, branchId, origin);
    clearRunState(doc, phase, origin);
    remote.setPresence({ name, color: AGENT_COLORS[phase], kind: 'agent', phase, progress: 1, message: 'Done', branchId });
    // Acknowledged by the collab-server ⇒ in PostgreSQL. Only then is the job complete.
    await remote.flush();
    await recordProgress(deps.sql, projectId, phase, result.output);

    if (job.pipeline && deps.enqueueNext) {
      const next = PHASES[PHASES.indexOf(phase) + 1];
      if (next) await deps.enqueueNext(next, job, activeNamePanelIds(doc));
    }
    return { branchId, costJpy: result.costJpy, model: result.model };
  } catch (error) {
    const reason = error instanceof RunCancelled || deps.signal.aborted ? 'cancelled' : error instanceof Error ? error.message : String(error);
    deps.log.warn({ jobId, phase, projectId, reason }, 'phase run did not complete');
    try {
      if (branchCreatedHere || getPhaseState(doc, phase).run?.jobId === jobId) {
        try {
          deleteBranch(doc, phase, branchId, origin);
        } catch {
          // Already gone, or adopted meanwhile by a person: then it is theirs to keep.
        }
      }
      setPhaseStatus(doc, phase, reason === 'cancelled' ? restoreStatus : restoreStatus === 'idle' ? 'failed' : restoreStatus, `Last run ${reason === 'cancelled' ? 'was cancelled' : `failed: ${reason}`}`, origin);
      clearRunState(doc, phase, origin);
      await remote.flush();
    } catch (cleanupError) {
      deps.log.error({ err: cleanupError, jobId }, 'could not restore the phase after a failed run');
    }
    throw error;
  } finally {
    remote.close();
  }
}

/**
 * Phase 5, one panel: draw it again and make a new branch that is the base branch with just that
 * panel's picture replaced (people keep the other panels they liked).
 */
async function redrawOnePanel(
  doc: Y.Doc,
  job: PhaseRunJob,
  input: PhaseAgentInput,
  ctx: PhaseAgentContext,
  baseBranchId: string | null,
): Promise<PhaseAgentResult<'scenes'>> {
  if (job.phase !== 'scenes' || !job.panelId) throw new AgentError('invalid-input', 'Only phase 5 (scenes) can regenerate one panel.');
  const base = baseBranchId ? readBranchContent(doc, 'scenes', baseBranchId) : { panels: [] };
  ctx.onProgress(0.1, `Drawing panel ${job.panelId} again`);
  const redrawn = await regenerateScenePanel(input, job.panelId, ctx);
  const panels = base.panels.some((p) => p.panelId === job.panelId)
    ? base.panels.map((p) => (p.panelId === job.panelId ? redrawn.scene : p))
    : [...base.panels, redrawn.scene];
  return { output: { panels }, model: redrawn.scene.model, costJpy: redrawn.costJpy, assets: [redrawn.asset] };
}

/** Phase 5 as a flow: the children's pictures, in the name's reading order, as one output. */
function collectDrawnPanels(doc: Y.Doc, drawn: DrawnPanel[]): PhaseAgentResult<'scenes'> {
  const byPanel = new Map(drawn.map((d) => [d.scene.panelId, d]));
  const order = activeNamePanelIds(doc);
  const panels = order.filter((id) => byPanel.has(id)).map((id) => byPanel.get(id)!.scene);
  // Panels drawn for a name that changed meanwhile are kept after the current ones.
  for (const d of drawn) if (!order.includes(d.scene.panelId)) panels.push(d.scene);
  const models = [...new Set(panels.map((p) => p.model))];
  return {
    output: { panels },
    model: models.join(' + ') || 'none',
    costJpy: Math.round(drawn.reduce((sum, d) => sum + d.costJpy, 0) * 10_000) / 10_000,
    assets: [],
  };
}

/** The dashboard's view of a project: the last finished phase and a cover picture. */
async function recordProgress(sql: Db, projectId: string, phase: Phase, output: unknown): Promise<void> {
  const cover =
    phase === 'final' ? ((output as PhaseAgentResult<'final'>['output']).pages[0]?.assetId ?? null)
    : phase === 'scenes' ? ((output as PhaseAgentResult<'scenes'>['output']).panels.find((p) => p.assetId)?.assetId ?? null)
    : null;
  // A final page always wins; a scene image only stands in until there is one.
  await sql`
    UPDATE projects SET
      current_phase = ${phase},
      cover_asset_id = CASE WHEN ${phase === 'final'} THEN COALESCE(${cover}, cover_asset_id) ELSE COALESCE(cover_asset_id, ${cover}) END,
      updated_at = now()
    WHERE id = ${projectId}`;
}
